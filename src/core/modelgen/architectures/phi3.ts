// Phi-3: a Llama-style decoder with fused projections (qkv_proj = [q; k; v], gate_up_proj = [gate; up]),
// partial rotary embeddings, longrope scaling (short factors up to the original context, long ones past it)
// and an optional sliding window on every layer.
import { HfConfig, only } from '../hf-config';
import { readRope } from '../rope';
import { DecoderSpec } from './decoder';
import { readActivation, readDecoderBasics } from './decoder-config';

export function readPhi3(config: HfConfig): DecoderSpec {
  const basics = readDecoderBasics(config, { maxPositions: 4096, normEps: 1e-5, activation: 'silu', tieEmbeddings: false });
  const activation = readActivation(config, 'hidden_act', 'silu');
  const rope = readRope(config, { headDim: basics.headDim, maxPositions: basics.maxPositions, partialRotary: true, legacyLongrope: true, originalMaxDefault: 4096 });
  const window = config.nullableInt('sliding_window', undefined);
  // Phi-3 configs on the Hub write attention_bias: false; Phi3Attention has no biases.
  config.accept({ attention_bias: only(false, 'Phi-3 attention has no biases') });
  return {
    family: 'phi3',
    ...basics,
    activation,
    normStyle: 'weight',
    qkvBias: false,
    oBias: false,
    mlpBias: false,
    qkNorm: false,
    sandwichNorms: false,
    fused: true,
    attentionScaling: basics.headDim ** -0.5,
    layerWindows: Array(basics.layers).fill(window),
    rope,
  };
}
