// Decoding: the nucleus holds the smallest most-likely set reaching top-p; draws follow softmax(z/T) renormalized
// on it (checked by frequency over 20,000 seeded draws, within 5 standard errors); temperature → 0 is greedy; a
// seed replays the same tokens on the demo model, whatever the batch, and another seed gives other tokens.
import * as assert from 'assert';
import * as path from 'path';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { Rng } from '../../../../src/core/data/rng';
import { generateTokens } from '../../../../src/core/generate/generate-tokens';
import { LogitsSession } from '../../../../src/core/generate/logits-session';
import { argmax, nextToken, nucleus, temperatureSoftmax, type Decoding } from '../../../../src/core/generate/next-token';
import { readModelFile } from '../../../../src/core/onnx/model-file';

const repo = path.resolve(__dirname, '../../../../..');

function randomLogits(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

describe('next-token decoding', () => {
  it('temperatureSoftmax is softmax(z / T) (hand-computed)', () => {
    const z = Float32Array.from([1, 2, 0, 3, 0]);
    const p = temperatureSoftmax(z, 1, 3, 2);
    // z[1..4) = [2, 0, 3] / 2 = [1, 0, 1.5]
    const e = [Math.exp(1), Math.exp(0), Math.exp(1.5)];
    const sum = e[0] + e[1] + e[2];
    e.forEach((v, i) => assert.ok(Math.abs(p[i] - v / sum) < 1e-15, `p[${i}] = ${p[i]}, want ${v / sum}`));
  });

  it('the nucleus is the smallest most-likely set with mass ≥ top-p', () => {
    const p = Float64Array.from([0.05, 0.5, 0.15, 0.3]);
    assert.deepStrictEqual(nucleus(p, 0.75).ids, [1, 3]);
    assert.deepStrictEqual(nucleus(p, 0.81).ids, [1, 3, 2]);
    assert.deepStrictEqual(nucleus(p, 0.1).ids, [1], 'at least the most likely token');
    assert.deepStrictEqual(nucleus(p, 1).ids, [1, 3, 2, 0]);
    const rng = Rng.fromSeed(5);
    for (let k = 0; k < 200; k++) {
      const probs = temperatureSoftmax(randomLogits(rng, 50, 3), 0, 50, 1);
      const topP = rng.uniform(0.05, 1);
      const { ids, mass } = nucleus(probs, topP);
      const sum = ids.reduce((s, id) => s + probs[id], 0);
      assert.ok(Math.abs(sum - mass) < 1e-12);
      assert.ok(mass >= topP || ids.length === 50, `mass ${mass} < top-p ${topP}`);
      assert.ok(mass - probs[ids[ids.length - 1]] < topP, 'one token fewer must fall short of top-p (smallest set)');
      const smallestKept = probs[ids[ids.length - 1]];
      probs.forEach((q, id) => ids.includes(id) || assert.ok(q <= smallestKept, 'every dropped token is at most as likely as every kept one'));
    }
  });

  it('draws follow softmax(z/T) renormalized on the nucleus, and never leave it', () => {
    const z = randomLogits(Rng.fromSeed(9), 12, 1.5);
    for (const [temperature, topP] of [[1, 1], [0.7, 0.8], [2, 0.5]] as const) {
      const p = temperatureSoftmax(z, 0, 12, temperature);
      const { ids, mass } = nucleus(p, topP);
      const draws = 20000;
      const counts = new Array<number>(12).fill(0);
      const rng = Rng.fromSeed(3);
      for (let k = 0; k < draws; k++) counts[nextToken(z, 0, 12, { kind: 'sample', temperature, topP, seed: 0 }, rng)]++;
      for (let id = 0; id < 12; id++) {
        if (!ids.includes(id)) {
          assert.strictEqual(counts[id], 0, `T=${temperature} top-p=${topP}: token ${id} outside the nucleus was drawn`);
          continue;
        }
        const q = p[id] / mass;
        const se = Math.sqrt((q * (1 - q)) / draws);
        assert.ok(Math.abs(counts[id] / draws - q) < 5 * se + 1e-9, `T=${temperature} top-p=${topP}: token ${id} drawn ${counts[id] / draws}, want ${q} ± ${5 * se}`);
      }
    }
  });

  it('temperature → 0 is greedy', () => {
    const rng = Rng.fromSeed(21);
    for (let k = 0; k < 100; k++) {
      const z = randomLogits(rng, 259, 4);
      const greedy = argmax(z, 0, 259);
      assert.strictEqual(nextToken(z, 0, 259, { kind: 'sample', temperature: 0, topP: 1, seed: 0 }), greedy, 'T = 0');
      assert.strictEqual(nextToken(z, 0, 259, { kind: 'sample', temperature: 1e-4, topP: 1, seed: 0 }, rng), greedy, 'T = 1e-4');
    }
  });

  it('rejects settings outside their ranges, naming them', async () => {
    const bad: [Decoding, RegExp][] = [
      [{ kind: 'sample', temperature: -1, topP: 1, seed: 0 }, /temperature/],
      [{ kind: 'sample', temperature: 1, topP: 0, seed: 0 }, /top-p/],
      [{ kind: 'sample', temperature: 1, topP: 1, seed: 1.5 }, /seed/],
    ];
    for (const [decoding, message] of bad) {
      await assert.rejects(generateTokens(undefined as unknown as LogitsSession, [[1]], { maxNewTokens: 1, padId: 0, decoding }), message);
    }
  });
});

describe('generateTokens on the demo model', function () {
  this.timeout(60000);
  const tokenizer = new ByteTokenizer();
  const prompts = ['reverse: stone\n', 'copy: kqzt\n', 'sort: 83915\n'].map((p) => tokenizer.encode(p, true));
  let session: LogitsSession;
  const run = (decoding: Decoding, batchSize?: number) =>
    generateTokens(session, prompts, { maxNewTokens: 12, eosId: tokenizer.special.eos, padId: tokenizer.special.pad, decoding, batchSize });
  before(async () => {
    session = await LogitsSession.open(readModelFile(path.join(repo, 'examples/demo/model.onnx')), [], { device: 'cpu', threads: 1 });
  });
  after(() => session?.release());

  it('a seed replays the same tokens, in any batch size; another seed draws others', async () => {
    const hot: Decoding = { kind: 'sample', temperature: 1.5, topP: 1, seed: 7 };
    const first = await run(hot);
    assert.deepStrictEqual(await run(hot), first);
    assert.deepStrictEqual(await run(hot, 1), first, 'each row has its own stream');
    assert.notDeepStrictEqual(await run({ ...hot, seed: 8 }), first);
  });

  it('sampling at temperature → 0 gives the greedy completion', async () => {
    const greedy = await run({ kind: 'greedy' });
    assert.ok(greedy.every((g) => g.length > 0));
    assert.deepStrictEqual(await run({ kind: 'sample', temperature: 0, topP: 0.9, seed: 1 }), greedy);
    assert.deepStrictEqual(await run({ kind: 'sample', temperature: 1e-3, topP: 1, seed: 2 }), greedy);
  });
});
