// The config.json fields every decoder family shares, with each family's transformers defaults, and the
// per-layer attention windows of the families with sliding-window layers.
import { HfConfig } from '../hf-config';
import { Activation, activationNames } from '../hf-graph';
import { HfImportError } from '../import-errors';

export interface DecoderDefaults {
  maxPositions: number;
  normEps: number;
  activation: string;
  /** Qwen3, Gemma: an explicit default head_dim; otherwise hidden_size / num_attention_heads. */
  headDim?: number;
  tieEmbeddings: boolean;
  /** Default num_key_value_heads (Gemma: 16, Mistral: 8); otherwise num_attention_heads. */
  kvHeads?: number;
}

export interface DecoderBasics {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  normEps: number;
  tieEmbeddings: boolean;
}

export function readActivation(config: HfConfig, key: string, fallback: string, remap: Record<string, string> = {}): Activation {
  const name = config.string(key, fallback);
  const act = activationNames[remap[name] ?? name];
  if (!act) {
    throw new HfImportError(`${config.file}: "${key}": "${name}" is not supported; supported: ${Object.keys(activationNames).map((a) => `"${a}"`).join(', ')}`);
  }
  return act;
}

export function readDecoderBasics(config: HfConfig, defaults: DecoderDefaults): DecoderBasics {
  const hiddenSize = config.positiveInt('hidden_size');
  const heads = config.positiveInt('num_attention_heads');
  const kvHeads = config.positiveInt('num_key_value_heads', defaults.kvHeads ?? heads);
  if (heads % kvHeads !== 0) throw new HfImportError(`${config.file}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const headDim = config.positiveInt('head_dim', defaults.headDim ?? Math.floor(hiddenSize / heads));
  return {
    vocabSize: config.positiveInt('vocab_size'),
    hiddenSize,
    layers: config.positiveInt('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    intermediateSize: config.positiveInt('intermediate_size'),
    maxPositions: config.positiveInt('max_position_embeddings', defaults.maxPositions),
    normEps: config.number('rms_norm_eps', defaults.normEps),
    tieEmbeddings: config.bool('tie_word_embeddings', defaults.tieEmbeddings),
  };
}

/**
 * Windows per layer from `layer_types` ("full_attention" | "sliding_attention"), as Qwen2, Qwen3 and Gemma 2
 * use them: a sliding layer attends to the last `window` keys; no window means full causal attention.
 */
export function layerWindows(config: HfConfig, layers: number, window: number | undefined, derive: (layer: number) => boolean): (number | undefined)[] {
  const types = config.array('layer_types');
  if (types === undefined) return Array.from({ length: layers }, (_, l) => (derive(l) ? window : undefined));
  if (types.length !== layers) throw new HfImportError(`${config.file}: "layer_types" has ${types.length} entries for ${layers} layers`);
  return types.map((t, l) => {
    if (t === 'full_attention') return undefined;
    if (t === 'sliding_attention') return window;
    throw new HfImportError(`${config.file}: layer_types[${l}] is ${JSON.stringify(t)}; supported: "full_attention", "sliding_attention"`);
  });
}
