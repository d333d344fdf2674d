// Typed reads of a Hugging Face config.json that remember which fields were read, so an importer can refuse
// every field it did not read (a field it does not implement may change the math) instead of ignoring it.
import { HfImportError } from './import-errors';

export type JsonObject = Record<string, unknown>;

/**
 * Fields that never change a model's forward pass in evaluation: identity and bookkeeping, token ids,
 * initialization, dropout rates (no dropout at inference), generation defaults of old configs, and the
 * output switches of PretrainedConfig.
 */
const NO_EFFECT_FIELDS = new Set([
  'architectures', 'model_type', 'transformers_version', '_name_or_path', 'name_or_path', 'torch_dtype', 'dtype',
  'use_cache', 'bos_token_id', 'eos_token_id', 'pad_token_id', 'sep_token_id', 'cls_token_id', 'mask_token_id',
  'unk_token_id', 'decoder_start_token_id', 'initializer_range', 'initializer_factor', 'id2label', 'label2id',
  'problem_type', 'return_dict', 'output_hidden_states', 'output_attentions', 'torchscript', 'use_return_dict',
  'chunk_size_feed_forward', 'tokenizer_class', 'prefix', 'task_specific_params', 'finetuning_task',
  'attention_dropout', 'hidden_dropout', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'classifier_dropout',
  'resid_pdrop', 'embd_pdrop', 'attn_pdrop', 'summary_first_dropout', 'gradient_checkpointing', 'keys_to_ignore_at_inference',
  'max_length', 'min_length', 'do_sample', 'early_stopping', 'num_beams', 'num_beam_groups', 'diversity_penalty',
  'temperature', 'top_k', 'top_p', 'typical_p', 'repetition_penalty', 'length_penalty', 'no_repeat_ngram_size',
  'encoder_no_repeat_ngram_size', 'bad_words_ids', 'num_return_sequences', 'output_scores', 'return_dict_in_generate',
  'forced_bos_token_id', 'forced_eos_token_id', 'remove_invalid_values', 'exponential_decay_length_penalty',
  'suppress_tokens', 'begin_suppress_tokens', 'tf_legacy_loss', 'pruned_heads', 'cross_attention_hidden_size', 'auto_map',
  '_attn_implementation_autoset', 'attn_implementation', '_attn_implementation', 'pretraining_tp', 'cache_implementation',
  'output_past', 'xla_device',
]);

/** Switches of PretrainedConfig that change nothing while false (old configs write them out). */
const NO_EFFECT_WHEN_FALSE = new Set(['is_decoder', 'add_cross_attention', 'is_encoder_decoder', 'tie_encoder_decoder']);

export interface FieldRule {
  /** Values under which a field is harmless; any other value is refused with `why`. */
  accept: (value: unknown) => boolean;
  why: string;
}

export class HfConfig {
  private readonly read = new Set<string>();

  constructor(
    readonly raw: JsonObject,
    readonly file: string,
  ) {}

  get modelType(): string {
    return typeof this.raw.model_type === 'string' ? this.raw.model_type : '';
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** The raw value, marked as read (undefined when absent or null). */
  value(key: string): unknown {
    this.read.add(key);
    const v = this.raw[key];
    return v === null ? undefined : v;
  }

  private fail(key: string, expected: string): never {
    throw new HfImportError(`${this.file}: field "${key}" is ${JSON.stringify(this.raw[key])}; expected ${expected}`);
  }

  int(key: string, fallback?: number): number {
    const v = this.value(key) ?? fallback;
    if (v === undefined) throw new HfImportError(`${this.file}: field "${key}" is missing; a ${this.modelType || 'model'} config needs it`);
    if (!Number.isInteger(v) || (v as number) < 0) this.fail(key, 'a non-negative integer');
    return v as number;
  }

  positiveInt(key: string, fallback?: number): number {
    const v = this.int(key, fallback);
    if (v < 1) this.fail(key, 'a positive integer');
    return v;
  }

  optionalInt(key: string): number | undefined {
    return this.value(key) === undefined ? undefined : this.positiveInt(key);
  }

  /** `ifAbsent` when the field is missing, undefined when it is null (None), else the positive integer. */
  nullableInt(key: string, ifAbsent: number | undefined): number | undefined {
    if (!(key in this.raw)) return ifAbsent;
    return this.optionalInt(key);
  }

  number(key: string, fallback?: number): number {
    const v = this.value(key) ?? fallback;
    if (v === undefined) throw new HfImportError(`${this.file}: field "${key}" is missing; a ${this.modelType || 'model'} config needs it`);
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a finite number');
    return v as number;
  }

  optionalNumber(key: string): number | undefined {
    return this.value(key) === undefined ? undefined : this.number(key);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v as boolean;
  }

  string(key: string, fallback?: string): string {
    const v = this.value(key) ?? fallback;
    if (typeof v !== 'string') this.fail(key, 'a string');
    return v as string;
  }

  /** One of `allowed`, else an error naming the field, the value and the supported values. */
  choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      throw new HfImportError(`${this.file}: "${key}": "${v}" is not supported by the ${this.modelType} importer; supported: ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return v as T;
  }

  object(key: string): JsonObject | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'an object');
    return v as JsonObject;
  }

  array(key: string): unknown[] | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(key, 'a list');
    return v;
  }

  /** Marks fields as read when `rule` accepts their value (or they are absent); refuses them otherwise. */
  accept(rules: Record<string, FieldRule>): void {
    for (const [key, rule] of Object.entries(rules)) {
      const v = this.value(key);
      if (v !== undefined && !rule.accept(v)) {
        throw new HfImportError(`${this.file}: "${key}": ${JSON.stringify(v)} is not supported by the ${this.modelType} importer (${rule.why})`);
      }
    }
  }

  /** Refuses every field that was neither read nor known to leave the forward pass unchanged. */
  refuseUnread(): void {
    const unread = Object.keys(this.raw).filter(
      (k) => !this.read.has(k) && !NO_EFFECT_FIELDS.has(k) && this.raw[k] !== null && !(NO_EFFECT_WHEN_FALSE.has(k) && this.raw[k] === false),
    );
    if (unread.length === 0) return;
    if (unread.includes('quantization_config')) {
      throw new HfImportError(`${this.file}: the model is quantized ("quantization_config"); the importer reads float32, float16 and bfloat16 weights only. Use the unquantized checkpoint.`);
    }
    const shown = unread.map((k) => `"${k}" = ${JSON.stringify(this.raw[k]).slice(0, 60)}`).join(', ');
    throw new HfImportError(
      `${this.file}: ${unread.length === 1 ? 'field' : 'fields'} ${shown} ${unread.length === 1 ? 'is' : 'are'} not implemented by the ${this.modelType} importer ` +
        `and may change the model's output, so the import stops rather than guess. Fields it reads: ${[...this.read].sort().join(', ')}.`,
    );
  }
}

/** A rule accepting only `expected` (compared as JSON). */
export function only(expected: unknown, why: string): FieldRule {
  return { accept: (v) => JSON.stringify(v) === JSON.stringify(expected), why };
}

/** A rule accepting any value: the field is read and has no effect the importer needs to model. */
export const anyValue: FieldRule = { accept: () => true, why: '' };
