// Llama (1–3.x, incl. Llama 3 rope scaling), Mistral (sliding window), Qwen2 (q/k/v bias, sliding layers)
// and Qwen3 (q/k norms): the same decoder, with the differences their transformers classes make.
import { HfConfig, only } from '../hf-config';
import { HfImportError } from '../import-errors';
import { readRope } from '../rope';
import { DecoderSpec } from './decoder';
import { layerWindows, readActivation, readDecoderBasics } from './decoder-config';

export type LlamaFamily = 'llama' | 'mistral' | 'qwen2' | 'qwen3';

const defaults = {
  llama: { maxPositions: 2048, normEps: 1e-6, activation: 'silu', tieEmbeddings: false },
  mistral: { maxPositions: 4096 * 32, normEps: 1e-6, activation: 'silu', tieEmbeddings: false, kvHeads: 8 },
  qwen2: { maxPositions: 32768, normEps: 1e-6, activation: 'silu', tieEmbeddings: false },
  qwen3: { maxPositions: 32768, normEps: 1e-6, activation: 'silu', tieEmbeddings: false, headDim: 128 },
};

// Qwen2/Qwen3: sliding_window applies only with use_sliding_window, to layers ≥ max_window_layers unless
// layer_types says otherwise.
function qwenWindows(config: HfConfig, layers: number): (number | undefined)[] {
  const use = config.bool('use_sliding_window', false);
  const window = config.nullableInt('sliding_window', 4096);
  const effective = use ? window : undefined;
  const fromLayer = config.int('max_window_layers', 28);
  return layerWindows(config, layers, effective, (l) => effective !== undefined && l >= fromLayer);
}

export function readLlamaFamily(config: HfConfig, family: LlamaFamily): DecoderSpec {
  const basics = readDecoderBasics(config, defaults[family]);
  const activation = readActivation(config, 'hidden_act', 'silu');
  const rope = readRope(config, { headDim: basics.headDim, maxPositions: basics.maxPositions, partialRotary: false });
  let qkvBias = false;
  let oBias = false;
  let mlpBias = false;
  let windows: (number | undefined)[] = Array(basics.layers).fill(undefined);
  if (family === 'llama') {
    qkvBias = oBias = config.bool('attention_bias', false);
    mlpBias = config.bool('mlp_bias', false);
  } else if (family === 'qwen3') {
    qkvBias = oBias = config.bool('attention_bias', false);
    windows = qwenWindows(config, basics.layers);
  } else if (family === 'qwen2') {
    qkvBias = true;
    windows = qwenWindows(config, basics.layers);
  } else {
    // Mistral: one window for every layer; MistralConfig's default is 4096 when the field is absent.
    windows = Array(basics.layers).fill(config.nullableInt('sliding_window', 4096));
    config.accept({ layer_types: only(undefined, 'MistralModel ignores layer_types; use a Ministral checkpoint for alternating windows') });
  }
  if (family !== 'llama') config.accept({ mlp_bias: only(false, 'this architecture has no MLP bias') });
  if (family === 'mistral' || family === 'qwen2') config.accept({ attention_bias: only(false, `${family} has fixed attention biases`) });
  if (basics.hiddenSize % basics.heads !== 0 && family === 'llama' && !config.has('head_dim')) {
    throw new HfImportError(`${config.file}: hidden_size ${basics.hiddenSize} is not a multiple of num_attention_heads ${basics.heads}`);
  }
  return {
    family,
    ...basics,
    activation,
    normStyle: 'weight',
    qkvBias,
    oBias,
    mlpBias,
    qkNorm: family === 'qwen3',
    sandwichNorms: false,
    fused: false,
    attentionScaling: basics.headDim ** -0.5,
    layerWindows: windows,
    rope,
  };
}
