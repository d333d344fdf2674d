// The UTF-8 validator against the oracle of the WHATWG decoder in fatal mode (RFC 3629 rules): every 1- and
// 2-byte sequence, and 50,000 seeded random 1–6 byte sequences weighted towards lead and continuation bytes.
import * as assert from 'assert';
import { Rng } from '../../../../src/core/data/rng';
import { decodeUtf8, firstInvalidUtf8 } from '../../../../src/core/data/utf8';

const oracle = new TextDecoder('utf-8', { fatal: true });
const validByOracle = (b: Uint8Array) => {
  try {
    oracle.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('UTF-8 validation', () => {
  it('agrees with the fatal WHATWG decoder on every 1- and 2-byte sequence', () => {
    for (let a = 0; a < 256; a++) {
      assert.strictEqual(firstInvalidUtf8(Uint8Array.of(a)) < 0, validByOracle(Uint8Array.of(a)), `0x${a.toString(16)}`);
      for (let b = 0; b < 256; b++) {
        const bytes = Uint8Array.of(a, b);
        assert.strictEqual(firstInvalidUtf8(bytes) < 0, validByOracle(bytes), `0x${a.toString(16)} 0x${b.toString(16)}`);
      }
    }
  });

  it('agrees on seeded random sequences of up to 6 bytes and points at the first bad byte', () => {
    const rng = Rng.fromSeed(7);
    const byte = () => {
      const r = rng.nextFloat();
      return r < 0.3 ? rng.nextInt(128) : r < 0.6 ? 0x80 + rng.nextInt(64) : 0xc0 + rng.nextInt(64);
    };
    for (let t = 0; t < 50_000; t++) {
      const bytes = Uint8Array.from({ length: 1 + rng.nextInt(6) }, byte);
      const bad = firstInvalidUtf8(bytes);
      assert.strictEqual(bad < 0, validByOracle(bytes), Array.from(bytes, (x) => x.toString(16)).join(' '));
      if (bad >= 0) assert.ok(validByOracle(bytes.subarray(0, bad)), 'everything before the reported byte is valid');
    }
  });

  it('decodes valid text and refuses invalid bytes instead of replacing them', () => {
    assert.strictEqual(decodeUtf8(Buffer.from('naïve ✓ 𝄞')), 'naïve ✓ 𝄞');
    assert.strictEqual(decodeUtf8(Uint8Array.of(0x61, 0xff)), undefined);
  });
});
