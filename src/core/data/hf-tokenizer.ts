// A Hugging Face tokenizer.json run by @huggingface/tokenizers (pure JS). Special tokens come from the
// tokenizer_config.json beside it when present (bos_token / eos_token / pad_token), otherwise from the
// tokenizer's added tokens with a conventional name; its chat template (chat-template.ts) too. Without a pad token, EOS pads (as Hugging Face trainers
// usually do): padded positions are masked out and labelled −100, so the id itself never matters.
import { Tokenizer } from '@huggingface/tokenizers';
import * as fs from 'fs';
import * as path from 'path';
import { ChatTemplate, loadChatTemplate } from './chat-template';
import type { SpecialTokenIds, TextTokenizer } from './tokenizer';

const conventionalNames = {
  bos: ['<s>', '<|begin_of_text|>', '<|startoftext|>', '<bos>', '[CLS]'],
  eos: ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>', '[SEP]'],
  pad: ['<pad>', '[PAD]', '<|pad|>', '<|finetune_right_pad_id|>'],
};

function readJsonFile(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (e) {
    throw new Error(`the ${what} ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

// tokenizer_config.json writes a special token either as a string or as {content: "..."}.
function tokenContent(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object' && typeof (entry as { content?: unknown }).content === 'string') {
    return (entry as { content: string }).content;
  }
  return undefined;
}

export class HuggingFaceTokenizer implements TextTokenizer {
  readonly kind = 'huggingface' as const;
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  readonly addedTokens: readonly string[];

  constructor(
    private readonly tokenizer: Tokenizer,
    config: Record<string, unknown>,
    private readonly source: string,
    readonly chatTemplate?: ChatTemplate,
  ) {
    let maxId = -1;
    for (const id of tokenizer.get_vocab(true).values()) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;
    this.addedTokens = [...tokenizer.get_added_tokens_decoder().values()].map((t) => t.content);
    const find = (role: keyof typeof conventionalNames): number | undefined => {
      const named = tokenContent(config[`${role}_token`]);
      if (named !== undefined) {
        const id = tokenizer.token_to_id(named);
        if (id === undefined) throw new Error(`${role}_token "${named}" from tokenizer_config.json is not in the vocabulary of ${source}`);
        return id;
      }
      for (const name of conventionalNames[role]) {
        const id = tokenizer.token_to_id(name);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const eos = find('eos');
    this.special = { bos: find('bos'), eos, pad: find('pad') ?? eos ?? 0 };
  }

  encode(text: string, addSpecialTokens: boolean): number[] {
    const encoding = this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens });
    const missing = encoding.ids.findIndex((id) => id === undefined || id === null);
    if (missing >= 0) {
      throw new Error(
        `the tokenizer ${this.source} has no id for the piece "${encoding.tokens[missing]}" and no unk_token to fall back on`,
      );
    }
    return encoding.ids;
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], { skip_special_tokens: true });
  }
}

/** Loads `file` (a tokenizer.json, or a folder holding one) and the tokenizer_config.json beside it if any. */
export function loadHuggingFaceTokenizer(file: string): HuggingFaceTokenizer {
  const jsonFile = fs.existsSync(file) && fs.statSync(file).isDirectory() ? path.join(file, 'tokenizer.json') : file;
  const tokenizerJson = readJsonFile(jsonFile, 'tokenizer file');
  const configFile = path.join(path.dirname(jsonFile), 'tokenizer_config.json');
  const config = fs.existsSync(configFile) ? readJsonFile(configFile, 'tokenizer config') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (e) {
    throw new Error(`cannot build a tokenizer from ${jsonFile}: ${(e as Error).message} (expected a Hugging Face tokenizer.json)`);
  }
  return new HuggingFaceTokenizer(tokenizer, config, jsonFile, loadChatTemplate(path.dirname(jsonFile), config));
}
