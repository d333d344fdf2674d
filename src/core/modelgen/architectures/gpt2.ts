// GPT-2 (GPT2LMHeadModel): learned absolute positions, pre-LayerNorm blocks, Conv1D projections that store
// W as [in, out] (used by Gemm as they are), fused c_attn = [q | k | v], GELU (tanh) MLP, tied head.
import { HfConfig, anyValue, only } from '../hf-config';
import { CheckpointWeights } from '../checkpoint-weights';
import { Activation, HfGraph } from '../hf-graph';
import { HfImportError } from '../import-errors';
import { ModelProto } from '../../onnx/types';
import { readActivation } from './decoder-config';

export interface Gpt2Spec {
  vocab: number;
  positions: number;
  d: number;
  layers: number;
  heads: number;
  inner: number;
  activation: Activation;
  eps: number;
  scaleWeights: boolean;
  byLayer: boolean;
  tied: boolean;
}

export function readGpt2(config: HfConfig): Gpt2Spec {
  const vocab = config.positiveInt('vocab_size');
  const positions = config.positiveInt('n_positions', 1024);
  const d = config.positiveInt('n_embd', 768);
  const layers = config.positiveInt('n_layer', 12);
  const heads = config.positiveInt('n_head', 12);
  const inner = config.optionalInt('n_inner') ?? 4 * d;
  const activation = readActivation(config, 'activation_function', 'gelu_new');
  const eps = config.number('layer_norm_epsilon', 1e-5);
  const scaleWeights = config.bool('scale_attn_weights', true);
  const byLayer = config.bool('scale_attn_by_inverse_layer_idx', false);
  const tied = config.bool('tie_word_embeddings', true);
  // Upcasting changes float16 rounding only; the summary fields configure GPT2DoubleHeadsModel's head.
  config.accept({
    reorder_and_upcast_attn: anyValue,
    n_ctx: anyValue,
    summary_type: anyValue,
    summary_use_proj: anyValue,
    summary_activation: anyValue,
    summary_proj_to_labels: anyValue,
    add_cross_attention: only(false, 'cross-attention is not implemented'),
  });
  if (d % heads !== 0) throw new HfImportError(`${config.file}: n_embd ${d} is not a multiple of n_head ${heads}`);
  return { vocab, positions, d, layers, heads, inner, activation, eps, scaleWeights, byLayer, tied };
}

export function buildGpt2(spec: Gpt2Spec, weights: CheckpointWeights): ModelProto {
  const { vocab, positions, d, layers, heads, inner, activation, eps, scaleWeights, byLayer, tied } = spec;
  const headDim = d / heads;
  const g = new HfGraph('thanora_import_gpt2', weights, weights.dataType);
  const { b } = g;
  const scope = '/transformer';
  // h = wte[ids] + wpe[0…s−1]   [b, s, d] → rows [N, d]
  const wte = g.weight('transformer.wte.weight', [vocab, d], 'vocab_size × n_embd');
  const wpe = g.weight('transformer.wpe.weight', [positions, d], 'n_positions × n_embd');
  const tokens = b.op(`${scope}/wte`, 'Gather', [wte, g.inputIds]);
  const posRows = b.op(`${scope}/wpe`, 'Slice', [wpe, b.int64s(`${scope}/wpe`, [0]), g.seqLen, b.int64s(`${scope}/wpe`, [0])]);
  let h = b.op(scope, 'Reshape', [b.op(scope, 'Add', [tokens, posRows]), b.int64s(scope, [-1, d])]);
  const mask = g.maskFor({ causal: true });
  for (let l = 0; l < layers; l++) {
    const p = `transformer.h.${l}`;
    const attnScope = `/transformer/h.${l}/attn`;
    const x = g.layerNorm(`${p}.ln_1`, h, d, eps);
    const qkv = g.linear(x, `${p}.attn.c_attn`, d, 3 * d, { bias: true, layout: 'in_out' });
    const [q, k, v] = b.ops(attnScope, 'Split', [qkv, b.int64s(attnScope, [d, d, d])], { axis: 1 }, 3);
    const scaling = (scaleWeights ? headDim ** -0.5 : 1) / (byLayer ? l + 1 : 1);
    const context = g.attention(attnScope, q, k, v, { heads, kvHeads: heads, headDim, scaling }, mask);
    h = b.op(`/transformer/h.${l}`, 'Add', [h, g.linear(context, `${p}.attn.c_proj`, d, d, { bias: true, layout: 'in_out' })]);
    const y = g.layerNorm(`${p}.ln_2`, h, d, eps);
    const fc = g.activation(`/transformer/h.${l}/mlp/act`, g.linear(y, `${p}.mlp.c_fc`, d, inner, { bias: true, layout: 'in_out' }), activation);
    h = b.op(`/transformer/h.${l}`, 'Add', [h, g.linear(fc, `${p}.mlp.c_proj`, inner, d, { bias: true, layout: 'in_out' })]);
  }
  h = g.layerNorm('transformer.ln_f', h, d, eps);
  let headWeight: string | undefined;
  if (tied) {
    weights.skip('lm_head.weight');
    headWeight = b.op('/lm_head', 'Identity', [wte], {}, 'lm_head.weight');
  }
  g.tokenLogits('/lm_head', g.linear(h, 'lm_head', d, vocab, { weightName: headWeight }), vocab);
  weights.checkAllTaken();
  return b.build(`gpt2 imported from a Hugging Face folder: d=${d}, layers=${layers}, heads=${heads}, inner=${inner}, vocab=${vocab}, positions=${positions}`);
}
