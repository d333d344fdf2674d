// The tokenizer seen by the data pipeline: text → token ids, plus the special ids batching needs. Two
// implementations: the byte-level tokenizer ("bytes", no file needed) and a Hugging Face tokenizer.json.
import { ByteTokenizer } from './byte-tokenizer';
import type { ChatTemplate } from './chat-template';
import { loadHuggingFaceTokenizer } from './hf-tokenizer';

export interface SpecialTokenIds {
  /** Prepended by `encode(text, true)` when the tokenizer's template does so. */
  bos?: number;
  /** Appended after a completion so the model learns to stop. */
  eos?: number;
  /** Fills padded positions; its value never reaches the loss (label −100, attention mask 0). */
  pad: number;
}

export interface TextTokenizer {
  readonly kind: 'bytes' | 'huggingface';
  /** One more than the largest id the tokenizer can emit. */
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  /** Texts the tokenizer maps to one added token each (`<|im_start|>`, …). */
  readonly addedTokens?: readonly string[];
  /** The chat template that renders {"messages"} examples, when the tokenizer has one. */
  readonly chatTemplate?: ChatTemplate;
  /** Token ids of `text`; with `addSpecialTokens` the tokenizer's own template applies (e.g. a BOS prefix). */
  encode(text: string, addSpecialTokens: boolean): number[];
  decode(ids: readonly number[]): string;
}

export type TokenizerSetting = { kind: 'bytes' } | { kind: 'huggingface'; path: string };

export function loadTokenizer(setting: TokenizerSetting): TextTokenizer {
  return setting.kind === 'bytes' ? new ByteTokenizer() : loadHuggingFaceTokenizer(setting.path);
}
