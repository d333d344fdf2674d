// The example formats of a task file, and how each becomes token ids and labels.
//   prompt_completion  {"prompt": str, "completion": str}     causal LM; loss on the completion (and EOS) only
//   pretokenized       {"input_ids": int[], "labels"?: int[]} causal LM; labels default to input_ids, −100 = ignore
//   messages           {"messages": [{"role", "content"}]}    causal LM through the tokenizer's chat template;
//                                                             loss on the assistant turns only
//   alpaca             {"instruction", "input"?, "output"}    causal LM; a user/assistant conversation with a chat
//                                                             template, else the Stanford Alpaca prompt; loss on output
//   classification     {"text": str, "label": int | str}      sequence classification; a string label is an index
//                                                             into the task's `labels` (class names)
// Labels follow the Hugging Face causal-LM convention: aligned with input_ids (logits[:, :-1] predict
// labels[:, 1:]), so the label at position 0 is never predicted. Other keys on a line (ids, metadata) are ignored.
import { alpacaMessages, alpacaPrompt, conversationTokens, parseMessages } from './conversation-example';
import type { TextTokenizer } from './tokenizer';

export const IGNORE_INDEX = -100;

export type ExampleFormat = 'prompt_completion' | 'pretokenized' | 'messages' | 'alpaca' | 'classification';
export type ExampleFormatSetting = 'auto' | ExampleFormat;
export type ObjectiveKind = 'causal_lm' | 'classification';

export type TokenizedExample =
  | { kind: 'causal_lm'; inputIds: Int32Array; labels: Int32Array; line: number }
  | { kind: 'classification'; inputIds: Int32Array; label: number; line: number };

export type BuildOutcome =
  | { status: 'ok'; example: TokenizedExample; truncatedFrom?: number }
  /** Well-formed but nothing to learn from after truncation; reported in counts, not an error. */
  | { status: 'dropped'; reason: string }
  | { status: 'error'; message: string };

export interface ExampleContext {
  tokenizer: TextTokenizer;
  /** Longer sequences are cut to this many tokens (from the right). */
  seqLength: number;
  /** Class names of a classification task; string labels are looked up here. */
  classNames?: readonly string[];
  /** Token ids must be below this (the model's vocabulary size), when known. */
  vocabLimit?: number;
}

export const requiredKeys: Record<ExampleFormat, readonly string[]> = {
  prompt_completion: ['prompt', 'completion'],
  pretokenized: ['input_ids'],
  messages: ['messages'],
  alpaca: ['instruction', 'output'],
  classification: ['text', 'label'],
};

export const formatObjective: Record<ExampleFormat, ObjectiveKind> = {
  prompt_completion: 'causal_lm',
  pretokenized: 'causal_lm',
  messages: 'causal_lm',
  alpaca: 'causal_lm',
  classification: 'classification',
};

/** The format a record's keys announce, or undefined when they match none. */
export function detectFormat(record: Record<string, unknown>): ExampleFormat | undefined {
  if ('input_ids' in record) return 'pretokenized';
  if ('messages' in record) return 'messages';
  if ('instruction' in record && 'output' in record) return 'alpaca';
  if ('prompt' in record || 'completion' in record) return 'prompt_completion';
  if ('text' in record && 'label' in record) return 'classification';
  return undefined;
}

export function describeUnknownFormat(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  return (
    'no known example format: expected {"prompt", "completion"}, {"messages": [...]}, {"instruction", "input", "output"}, {"input_ids", "labels"} or {"text", "label"}; ' +
    `this line has ${keys.length ? `keys ${keys.map((k) => `"${k}"`).join(', ')}` : 'no keys'}`
  );
}

function isIntegerArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}

function checkTokenIds(ids: readonly number[], field: string, vocabLimit: number | undefined, allowIgnore: boolean): string | undefined {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (allowIgnore && id === IGNORE_INDEX) continue;
    if (id < 0) return `${field}[${i}] = ${id} is negative${allowIgnore ? ` (only ${IGNORE_INDEX} is allowed, meaning "ignore")` : ''}`;
    if (vocabLimit !== undefined && id >= vocabLimit) return `${field}[${i}] = ${id} is outside the vocabulary (ids must be < ${vocabLimit})`;
  }
  return undefined;
}

/** Causal LM: the label at position 0 has no logit predicting it, so it does not count. */
export function supervisedTokens(labels: Int32Array): number {
  let n = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) n++;
  return n;
}

function causalLm(ids: number[], labels: number[], line: number, ctx: ExampleContext, emptyReason: string): BuildOutcome {
  const length = Math.min(ids.length, ctx.seqLength);
  const example: TokenizedExample = {
    kind: 'causal_lm',
    inputIds: Int32Array.from(ids.slice(0, length)),
    labels: Int32Array.from(labels.slice(0, length)),
    line,
  };
  if (supervisedTokens(example.labels) === 0) return { status: 'dropped', reason: emptyReason };
  return { status: 'ok', example, truncatedFrom: ids.length > length ? ids.length : undefined };
}

function fromPromptCompletion(record: Record<string, unknown>, line: number, ctx: ExampleContext): BuildOutcome {
  const { prompt, completion } = record;
  if (typeof prompt !== 'string') return { status: 'error', message: `"prompt" must be a string, got ${JSON.stringify(prompt)}` };
  if (typeof completion !== 'string') return { status: 'error', message: `"completion" must be a string, got ${JSON.stringify(completion)}` };
  return promptCompletion(prompt, completion, line, ctx);
}

function promptCompletion(prompt: string, completion: string, line: number, ctx: ExampleContext): BuildOutcome {
  const promptIds = ctx.tokenizer.encode(prompt, true);
  const completionIds = ctx.tokenizer.encode(completion, false);
  if (ctx.tokenizer.special.eos !== undefined) completionIds.push(ctx.tokenizer.special.eos);
  const ids = [...promptIds, ...completionIds];
  const labels = [...promptIds.map(() => IGNORE_INDEX), ...completionIds];
  const reason =
    promptIds.length >= ctx.seqLength
      ? `the prompt alone has ${promptIds.length} tokens, so no completion token is left after truncation to seqLength ${ctx.seqLength}`
      : 'the completion is empty and the tokenizer has no EOS token to learn';
  return causalLm(ids, labels, line, ctx, reason);
}

function fromMessages(record: Record<string, unknown>, line: number, ctx: ExampleContext): BuildOutcome {
  const template = ctx.tokenizer.chatTemplate;
  if (!template) {
    return { status: 'error', message: 'a {"messages"} example needs the tokenizer\'s chat template ("chat_template" in tokenizer_config.json, or chat_template.jinja beside tokenizer.json); this tokenizer has none' };
  }
  const messages = parseMessages(record.messages);
  if (typeof messages === 'string') return { status: 'error', message: messages };
  return fromConversation(conversationTokens(messages, template, ctx.tokenizer), line, ctx);
}

function fromConversation(tokens: ReturnType<typeof conversationTokens>, line: number, ctx: ExampleContext): BuildOutcome {
  if ('error' in tokens) return { status: 'error', message: tokens.error };
  const labels = tokens.ids.map((id, i) => (tokens.learned[i] ? id : IGNORE_INDEX));
  return causalLm(tokens.ids, labels, line, ctx, `no assistant token is left after truncation to seqLength ${ctx.seqLength}`);
}

function fromAlpaca(record: Record<string, unknown>, line: number, ctx: ExampleContext): BuildOutcome {
  const { instruction, output } = record;
  const input = record.input ?? '';
  for (const [key, value] of Object.entries({ instruction, input, output })) {
    if (typeof value !== 'string') return { status: 'error', message: `"${key}" must be a string, got ${JSON.stringify(value)}` };
  }
  const [i, x, o] = [instruction, input, output] as string[];
  const template = ctx.tokenizer.chatTemplate;
  if (template) return fromConversation(conversationTokens(alpacaMessages(i, x, o), template, ctx.tokenizer), line, ctx);
  return promptCompletion(alpacaPrompt(i, x), o, line, ctx);
}

function fromPretokenized(record: Record<string, unknown>, line: number, ctx: ExampleContext): BuildOutcome {
  const ids = record.input_ids;
  if (!isIntegerArray(ids) || ids.length === 0) return { status: 'error', message: '"input_ids" must be a non-empty array of integers' };
  const badId = checkTokenIds(ids, 'input_ids', ctx.vocabLimit, false);
  if (badId) return { status: 'error', message: badId };
  let labels = ids;
  if (record.labels !== undefined) {
    if (!isIntegerArray(record.labels)) return { status: 'error', message: '"labels" must be an array of integers (−100 = ignored)' };
    if (record.labels.length !== ids.length) {
      return { status: 'error', message: `"labels" has ${record.labels.length} entries but "input_ids" has ${ids.length}; they must align` };
    }
    const badLabel = checkTokenIds(record.labels, 'labels', ctx.vocabLimit, true);
    if (badLabel) return { status: 'error', message: badLabel };
    labels = record.labels;
  }
  return causalLm(ids, labels, line, ctx, `no label other than ${IGNORE_INDEX} after position 0 within seqLength ${ctx.seqLength}`);
}

function classLabel(label: unknown, classNames: readonly string[] | undefined): number | string {
  if (typeof label === 'string') {
    if (!classNames) return `"label" is the string "${label}": list the class names in the task's "labels" field, or use integer labels`;
    const index = classNames.indexOf(label);
    return index >= 0 ? index : `"label" "${label}" is not one of the task's labels: ${classNames.map((c) => `"${c}"`).join(', ')}`;
  }
  if (!Number.isInteger(label) || (label as number) < 0) return `"label" must be an integer ≥ 0 or a class name, got ${JSON.stringify(label)}`;
  if (classNames && (label as number) >= classNames.length) {
    return `"label" ${label} is out of range: the task has ${classNames.length} labels (0 … ${classNames.length - 1})`;
  }
  return label as number;
}

function fromClassification(record: Record<string, unknown>, line: number, ctx: ExampleContext): BuildOutcome {
  if (typeof record.text !== 'string') return { status: 'error', message: `"text" must be a string, got ${JSON.stringify(record.text)}` };
  const label = classLabel(record.label, ctx.classNames);
  if (typeof label === 'string') return { status: 'error', message: label };
  const ids = ctx.tokenizer.encode(record.text, true);
  if (ids.length === 0) return { status: 'dropped', reason: 'the text encodes to no tokens' };
  const length = Math.min(ids.length, ctx.seqLength);
  const example: TokenizedExample = { kind: 'classification', inputIds: Int32Array.from(ids.slice(0, length)), label, line };
  return { status: 'ok', example, truncatedFrom: ids.length > length ? ids.length : undefined };
}

/** Turns one parsed line into a tokenized example of `format`; never throws for bad data. */
export function buildExample(record: Record<string, unknown>, format: ExampleFormat, line: number, ctx: ExampleContext): BuildOutcome {
  const missing = requiredKeys[format].filter((key) => !(key in record));
  if (missing.length > 0) {
    return { status: 'error', message: `missing ${missing.map((k) => `"${k}"`).join(' and ')} (a ${format} example needs ${requiredKeys[format].join(', ')})` };
  }
  try {
    if (format === 'prompt_completion') return fromPromptCompletion(record, line, ctx);
    if (format === 'pretokenized') return fromPretokenized(record, line, ctx);
    if (format === 'messages') return fromMessages(record, line, ctx);
    if (format === 'alpaca') return fromAlpaca(record, line, ctx);
    return fromClassification(record, line, ctx);
  } catch (e) {
    return { status: 'error', message: `tokenization failed: ${(e as Error).message}` };
  }
}
