// A playground prompt as token ids, encoded the way training encodes it: through the tokenizer's chat template
// as one user turn with the generation prompt (the template writes its special tokens as text, so the rendered
// text is encoded without adding more, as conversation-example.ts does), or, without a template or when told,
// as a raw prompt with the tokenizer's own special tokens (a BOS prefix), as prompt/completion examples are.
import type { TextTokenizer } from '../data/tokenizer';

export interface EncodedPrompt {
  /** The text the model continues: the rendered conversation, or the prompt as given. */
  text: string;
  ids: number[];
  chatTemplate: boolean;
}

export function encodePrompt(tokenizer: TextTokenizer, prompt: string, useChatTemplate = true): EncodedPrompt {
  const template = useChatTemplate ? tokenizer.chatTemplate : undefined;
  if (!template) return { text: prompt, ids: tokenizer.encode(prompt, true), chatTemplate: false };
  const text = template.render([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
  return { text, ids: tokenizer.encode(text, false), chatTemplate: true };
}

/** The completion's text without the EOS that ended it. */
export function decodeCompletion(tokenizer: TextTokenizer, ids: readonly number[]): { text: string; stoppedAtEos: boolean } {
  const eos = tokenizer.special.eos;
  const stoppedAtEos = eos !== undefined && ids[ids.length - 1] === eos;
  return { text: tokenizer.decode(stoppedAtEos ? ids.slice(0, -1) : ids), stoppedAtEos };
}
