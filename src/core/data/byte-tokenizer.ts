// Byte-level tokenizer: UTF-8 bytes are the tokens, so any text encodes without a vocabulary file.
//
// Vocabulary layout (BYTE_VOCAB_SIZE = 259 ids):
//   0        PAD
//   1        BOS   (prepended by encode(text, true))
//   2        EOS   (appended after completions by the example builder)
//   3 … 258  byte b ↦ id b + BYTE_TOKEN_OFFSET (b ∈ 0…255)
// A model trained with it needs an embedding of at least 259 rows.
import type { SpecialTokenIds, TextTokenizer } from './tokenizer';

export const BYTE_PAD_ID = 0;
export const BYTE_BOS_ID = 1;
export const BYTE_EOS_ID = 2;
export const BYTE_TOKEN_OFFSET = 3;
export const BYTE_VOCAB_SIZE = 256 + BYTE_TOKEN_OFFSET;

const utf8Decoder = new TextDecoder('utf-8');

export class ByteTokenizer implements TextTokenizer {
  readonly kind = 'bytes' as const;
  readonly vocabSize = BYTE_VOCAB_SIZE;
  readonly special: SpecialTokenIds = { bos: BYTE_BOS_ID, eos: BYTE_EOS_ID, pad: BYTE_PAD_ID };

  encode(text: string, addSpecialTokens: boolean): number[] {
    const bytes = Buffer.from(text, 'utf8');
    const ids = addSpecialTokens ? [BYTE_BOS_ID] : [];
    for (const b of bytes) ids.push(b + BYTE_TOKEN_OFFSET);
    return ids;
  }

  /** Special ids are dropped; invalid UTF-8 (e.g. a sequence cut by truncation) decodes to U+FFFD. */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      if (id >= BYTE_TOKEN_OFFSET && id < BYTE_VOCAB_SIZE) bytes.push(id - BYTE_TOKEN_OFFSET);
    }
    return utf8Decoder.decode(Uint8Array.from(bytes));
  }
}
