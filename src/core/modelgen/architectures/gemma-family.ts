// Gemma and Gemma 2: embeddings × √d, RMSNorm as y ⊙ (1 + w) in float32, GELU (tanh) gated MLP, tied head.
// Gemma 2 adds norms after attention and MLP, attention scaled by query_pre_attn_scalar^−½, alternating
// sliding-window layers, and tanh soft-capping of attention scores and final logits.
import { HfConfig, only } from '../hf-config';
import { readRope } from '../rope';
import { DecoderSpec } from './decoder';
import { layerWindows, readActivation, readDecoderBasics } from './decoder-config';

export function readGemmaFamily(config: HfConfig, family: 'gemma' | 'gemma2'): DecoderSpec {
  const gemma2 = family === 'gemma2';
  const basics = readDecoderBasics(config, { maxPositions: 8192, normEps: 1e-6, activation: 'gelu_pytorch_tanh', headDim: 256, tieEmbeddings: true, kvHeads: gemma2 ? 4 : 16 });
  // GemmaConfig maps the legacy "gelu" of the official releases to the tanh approximation; Gemma 2 reads
  // hidden_activation instead of hidden_act.
  const activation = gemma2
    ? readActivation(config, 'hidden_activation', 'gelu_pytorch_tanh')
    : readActivation(config, 'hidden_act', 'gelu_pytorch_tanh', { gelu: 'gelu_pytorch_tanh' });
  if (!gemma2) config.accept({ hidden_activation: { accept: (v) => v === 'gelu_pytorch_tanh' || v === 'gelu', why: 'transformers 5 computes Gemma with hidden_act (the tanh GELU)' } });
  else config.accept({ hidden_act: { accept: (v) => v === 'gelu_pytorch_tanh', why: 'Gemma 2 computes hidden_activation; hidden_act would be ignored' } });
  config.accept({ use_bidirectional_attention: only(false, 'bidirectional Gemma attention is not implemented') });
  const attentionBias = config.bool('attention_bias', false);
  const rope = readRope(config, { headDim: basics.headDim, maxPositions: basics.maxPositions, partialRotary: false });
  let windows: (number | undefined)[] = Array(basics.layers).fill(undefined);
  let attentionScaling = basics.headDim ** -0.5;
  let attentionSoftcap: number | undefined;
  let finalSoftcap: number | undefined;
  if (gemma2) {
    attentionScaling = config.number('query_pre_attn_scalar', 256) ** -0.5;
    // Gemma2Config: layers 0, 2, 4, … slide when layer_types is absent.
    windows = layerWindows(config, basics.layers, config.nullableInt('sliding_window', 4096), (l) => (l + 1) % 2 === 1);
    attentionSoftcap = 'attn_logit_softcapping' in config.raw ? config.optionalNumber('attn_logit_softcapping') : 50;
    finalSoftcap = 'final_logit_softcapping' in config.raw ? config.optionalNumber('final_logit_softcapping') : 30;
  }
  return {
    family,
    ...basics,
    activation,
    normStyle: 'one_plus_weight',
    embedScale: Math.fround(Math.sqrt(basics.hiddenSize)),
    qkvBias: attentionBias,
    oBias: attentionBias,
    mlpBias: false,
    qkNorm: false,
    sandwichNorms: gemma2,
    fused: false,
    attentionScaling,
    attentionSoftcap,
    finalSoftcap,
    layerWindows: windows,
    rope,
  };
}
