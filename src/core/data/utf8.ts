// UTF-8 validation that says where: Node's 'utf8' decoding silently turns invalid bytes into U+FFFD, which would
// then be tokenized and trained on. RFC 3629: 1–4 byte sequences, no overlongs, no surrogates, ≤ U+10FFFF.

/** Byte offset of the first invalid UTF-8 sequence in `bytes`, or −1 when all of it is valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte → sequence length and the allowed range of the first continuation byte (excludes overlongs,
    // surrogates D800–DFFF and code points past U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > bytes.length) return i;
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n;
  }
  return -1;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** Decodes `bytes` when they are valid UTF-8; undefined otherwise (find where with firstInvalidUtf8). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
