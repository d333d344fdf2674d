// Chat data: {"messages": [{"role", "content"}, …]} rendered by the tokenizer's chat template, with the loss on
// the assistant turns only; and Alpaca {"instruction", "input"?, "output"} as a one-turn conversation (or, for
// a tokenizer without a chat template, the original Stanford Alpaca prompt).
//
// Assistant turn i spans, in the rendered text T = render(messages), from |render(messages[:i], generation
// prompt)| (a prefix of T: where the model starts answering) to the end of the text render(messages[:i+1])
// shares with T: its content and end-of-turn marker. A special token that straddles that end (Phi-3 appends
// <|endoftext|> after the last message where T goes on with <|user|>; both start with "<|") is not part of
// the turn, so the end backs off to its start; the eos a template appends after the last message thus
// counts for the last turn only. Each span and each gap between spans is tokenized on its own, without
// special tokens (the template writes them as text), so the labels line up with the tokens exactly.
import type { ChatMessage, ChatTemplate } from './chat-template';
import type { TextTokenizer } from './tokenizer';

/** Token ids and, per token, whether it is an assistant token (counted in the loss). */
export type ConversationOutcome = { ids: number[]; learned: boolean[] } | { error: string };

/** The messages array of a record, validated, or an error message. */
export function parseMessages(value: unknown): ChatMessage[] | string {
  if (!Array.isArray(value) || value.length === 0) return '"messages" must be a non-empty list of {"role", "content"} objects';
  for (let i = 0; i < value.length; i++) {
    const m = value[i] as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `messages[${i}] must be an object with "role" and "content"`;
    if (typeof m.role !== 'string' || !m.role) return `messages[${i}].role must be a non-empty string (user, assistant, system, …)`;
    if (typeof m.content !== 'string') return `messages[${i}].content must be a string, got ${JSON.stringify(m.content)}`;
  }
  if (!value.some((m) => (m as ChatMessage).role === 'assistant')) return 'the conversation has no "assistant" message, so nothing would be learned';
  return value as ChatMessage[];
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

// The end of the text `a` and `b` share, moved back to the start of any marker that straddles it in either.
function sharedEnd(a: string, b: string, markers: readonly string[]): number {
  let end = commonPrefixLength(a, b);
  for (const m of markers) {
    for (let at = Math.max(0, end - m.length + 1); at < end; at++) {
      if (a.startsWith(m, at) || b.startsWith(m, at)) {
        end = at;
        break;
      }
    }
  }
  return end;
}

/** [start, end) character spans of the assistant turns in the rendered conversation. */
function assistantSpans(messages: readonly ChatMessage[], template: ChatTemplate, text: string, markers: readonly string[]): [number, number][] | string {
  const spans: [number, number][] = [];
  for (let i = 0; i < messages.length; i++) {
    if (messages[i].role !== 'assistant') continue;
    const before = template.render(messages.slice(0, i), { addGenerationPrompt: true });
    if (!text.startsWith(before)) {
      return `the chat template renders the conversation before messages[${i}] differently on its own than inside the whole conversation, so the assistant turn cannot be located`;
    }
    const end = sharedEnd(template.render(messages.slice(0, i + 1)), text, markers);
    if (end <= before.length) return `the chat template renders messages[${i}] (assistant) as nothing; check the template`;
    const previous = spans[spans.length - 1];
    if (previous && before.length < previous[1]) return `assistant turns ${spans.length} and ${spans.length + 1} overlap in the rendered text; the template is not prefix-stable`;
    spans.push([before.length, end]);
  }
  return spans;
}

export function conversationTokens(messages: readonly ChatMessage[], template: ChatTemplate, tokenizer: TextTokenizer): ConversationOutcome {
  const text = template.render(messages);
  const spans = assistantSpans(messages, template, text, [...template.markers, ...(tokenizer.addedTokens ?? [])]);
  if (typeof spans === 'string') return { error: spans };
  const ids: number[] = [];
  const learned: boolean[] = [];
  const add = (from: number, to: number, counts: boolean) => {
    if (to <= from) return;
    const piece = tokenizer.encode(text.slice(from, to), false);
    ids.push(...piece);
    learned.push(...piece.map(() => counts));
  };
  let cursor = 0;
  for (const [start, end] of spans) {
    add(cursor, start, false);
    add(start, end, true);
    cursor = end;
  }
  add(cursor, text.length, false);
  return { ids, learned };
}

/** Alpaca's user turn: the instruction, then the input (when given) after a blank line. */
export function alpacaMessages(instruction: string, input: string, output: string): ChatMessage[] {
  return [
    { role: 'user', content: input ? `${instruction}\n\n${input}` : instruction },
    { role: 'assistant', content: output },
  ];
}

/** The Stanford Alpaca prompt (github.com/tatsu-lab/stanford_alpaca), for tokenizers without a chat template. */
export function alpacaPrompt(instruction: string, input: string): string {
  return input
    ? 'Below is an instruction that describes a task, paired with an input that provides further context. ' +
        `Write a response that appropriately completes the request.\n\n### Instruction:\n${instruction}\n\n### Input:\n${input}\n\n### Response:\n`
    : `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n${instruction}\n\n### Response:\n`;
}
