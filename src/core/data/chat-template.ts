// A tokenizer's chat template (Jinja) rendered with @huggingface/jinja, the implementation transformers.js
// uses, with the variables transformers' apply_chat_template passes: messages, add_generation_prompt, tools,
// the special tokens as strings, raise_exception and strftime_now (the last two built into the library).
// The template comes from chat_template.jinja, chat_template.json or tokenizer_config.json's "chat_template"
// (a string, or a list of named templates of which "default" is used), in transformers' order.
import { Template } from '@huggingface/jinja';
import * as fs from 'fs';
import * as path from 'path';

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export class ChatTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatTemplateError';
  }
}

/** Special-token fields of tokenizer_config.json that templates read as strings (bos_token, eos_token, …). */
const specialTokenFields = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

function tokenContent(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object' && typeof (entry as { content?: unknown }).content === 'string') return (entry as { content: string }).content;
  return undefined;
}

export class ChatTemplate {
  private readonly template: Template;
  private readonly specialTokens: Record<string, string>;

  constructor(
    readonly source: string,
    readonly text: string,
    tokenizerConfig: Record<string, unknown>,
  ) {
    try {
      this.template = new Template(text);
    } catch (e) {
      throw new ChatTemplateError(`the chat template in ${source} does not parse: ${(e as Error).message}`);
    }
    this.specialTokens = {};
    for (const field of specialTokenFields) {
      const value = tokenContent(tokenizerConfig[field]);
      if (value !== undefined) this.specialTokens[field] = value;
    }
  }

  /** The special tokens the template writes as text (bos_token, eos_token, …), for locating turn boundaries. */
  get markers(): string[] {
    return Object.values(this.specialTokens).filter((t) => t.length > 0);
  }

  /** The conversation as text, exactly as apply_chat_template(..., tokenize=False) renders it. */
  render(messages: readonly ChatMessage[], options: { addGenerationPrompt?: boolean; tools?: unknown[] } = {}): string {
    try {
      return this.template.render({
        ...this.specialTokens,
        messages,
        add_generation_prompt: options.addGenerationPrompt ?? false,
        ...(options.tools ? { tools: options.tools } : {}),
      });
    } catch (e) {
      throw new ChatTemplateError(`the chat template in ${this.source} fails on this conversation: ${(e as Error).message}`);
    }
  }
}

function templateText(value: unknown, source: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find((t) => t && typeof t === 'object' && (t as { name?: unknown }).name === 'default') as { template?: unknown } | undefined;
    if (named && typeof named.template === 'string') return named.template;
    throw new ChatTemplateError(`${source}: "chat_template" is a list without a "default" template; names: ${value.map((t) => JSON.stringify((t as { name?: unknown })?.name)).join(', ')}`);
  }
  throw new ChatTemplateError(`${source}: "chat_template" must be a string (or a list of {name, template}), got ${typeof value}`);
}

/** The chat template of the tokenizer folder `dir`, or undefined when it has none. */
export function loadChatTemplate(dir: string, tokenizerConfig: Record<string, unknown>): ChatTemplate | undefined {
  const jinjaFile = path.join(dir, 'chat_template.jinja');
  if (fs.existsSync(jinjaFile)) return new ChatTemplate(jinjaFile, fs.readFileSync(jinjaFile, 'utf8'), tokenizerConfig);
  const jsonFile = path.join(dir, 'chat_template.json');
  if (fs.existsSync(jsonFile)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    } catch (e) {
      throw new ChatTemplateError(`${jsonFile} is not valid JSON: ${(e as Error).message}`);
    }
    const text = templateText((parsed as { chat_template?: unknown })?.chat_template, jsonFile);
    if (text !== undefined) return new ChatTemplate(jsonFile, text, tokenizerConfig);
  }
  const text = templateText(tokenizerConfig.chat_template, path.join(dir, 'tokenizer_config.json'));
  return text === undefined ? undefined : new ChatTemplate(path.join(dir, 'tokenizer_config.json'), text, tokenizerConfig);
}
