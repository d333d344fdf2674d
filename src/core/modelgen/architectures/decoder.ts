// The decoder-only transformer that Llama, Mistral, Qwen2, Qwen3, Gemma, Gemma 2 and Phi-3 all are, built
// from a DecoderSpec each family reads from its config.json:
//   h = embed(ids)·embed_scale
//   per layer: h += post_attn_norm?(attn(norm₁(h)));  h += post_ff_norm?(mlp(norm₂(h)))
//   logits = softcap?(lm_head(norm(h)))
// Module and weight names follow the transformers classes (model.layers.N.self_attn.q_proj.weight).
import { ModelProto } from '../../onnx/types';
import { CheckpointWeights } from '../checkpoint-weights';
import { Activation, AttentionShape, HfGraph } from '../hf-graph';
import { RopeSpec } from '../rope';
import type { DecoderBasics } from './decoder-config';

export interface DecoderSpec extends Omit<DecoderBasics, 'maxPositions'> {
  /** Family name for the graph and the report (`llama`, `qwen3`, …). */
  family: string;
  activation: Activation;
  /** Llama: y ⊙ w; Gemma: y ⊙ (1 + w) in float32. */
  normStyle: 'weight' | 'one_plus_weight';
  /** Gemma: embeddings × √hidden_size (rounded to float32, as HF's buffer). */
  embedScale?: number;
  /** Bias on q/k/v and on o_proj (Qwen2: q/k/v only; Llama attention_bias: all four). */
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  /** Qwen3: RMSNorm over head_dim on q and k before rotary. */
  qkNorm: boolean;
  /** Gemma 2: norms after attention and MLP too (post_attention_layernorm, pre/post_feedforward_layernorm). */
  sandwichNorms: boolean;
  /** Phi-3: one qkv_proj and one gate_up_proj instead of three and two. */
  fused: boolean;
  attentionScaling: number;
  attentionSoftcap?: number;
  finalSoftcap?: number;
  /** Sliding window per layer (undefined = full causal attention). */
  layerWindows: (number | undefined)[];
  rope: RopeSpec;
}

function attentionBlock(g: HfGraph, spec: DecoderSpec, l: number, x: string): string {
  const { b } = g;
  const p = `model.layers.${l}.self_attn`;
  const scope = `/model/layers.${l}/self_attn`;
  const d = spec.hiddenSize;
  const qDim = spec.heads * spec.headDim;
  const kvDim = spec.kvHeads * spec.headDim;
  let q: string, k: string, v: string;
  if (spec.fused) {
    const qkv = g.linear(x, `${p}.qkv_proj`, d, qDim + 2 * kvDim, { bias: spec.qkvBias });
    [q, k, v] = b.ops(scope, 'Split', [qkv, b.int64s(scope, [qDim, kvDim, kvDim])], { axis: 1 }, 3);
  } else {
    q = g.linear(x, `${p}.q_proj`, d, qDim, { bias: spec.qkvBias });
    k = g.linear(x, `${p}.k_proj`, d, kvDim, { bias: spec.qkvBias });
    v = g.linear(x, `${p}.v_proj`, d, kvDim, { bias: spec.qkvBias });
  }
  const shape: AttentionShape = { heads: spec.heads, kvHeads: spec.kvHeads, headDim: spec.headDim, scaling: spec.attentionScaling, softcap: spec.attentionSoftcap };
  const window = spec.layerWindows[l];
  const mask = g.maskFor({ causal: true, window });
  const context = g.attention(scope, q, k, v, shape, mask, (which, heads) => {
    // q_norm/k_norm normalise each head over head_dim; on [b, heads, s, hd] that is the last axis, as in HF.
    const normed = spec.qkNorm ? g.rmsNorm(`${p}.${which}_norm`, heads, spec.headDim, spec.normEps, spec.normStyle) : heads;
    return g.applyRotary(`${scope}/rotary_${which}`, normed, spec.rope, spec.headDim);
  });
  return g.linear(context, `${p}.o_proj`, qDim, d, { bias: spec.oBias });
}

// Gated MLP: down(act(gate(x)) ⊙ up(x)); Phi-3 computes gate and up as the two halves of gate_up_proj.
function mlpBlock(g: HfGraph, spec: DecoderSpec, l: number, x: string): string {
  const { b } = g;
  const p = `model.layers.${l}.mlp`;
  const scope = `/model/layers.${l}/mlp`;
  const d = spec.hiddenSize;
  const f = spec.intermediateSize;
  let gate: string, up: string;
  if (spec.fused) {
    const both = g.linear(x, `${p}.gate_up_proj`, d, 2 * f, { bias: spec.mlpBias });
    [gate, up] = b.ops(scope, 'Split', [both, b.int64s(scope, [f, f])], { axis: 1 }, 2);
  } else {
    gate = g.linear(x, `${p}.gate_proj`, d, f, { bias: spec.mlpBias });
    up = g.linear(x, `${p}.up_proj`, d, f, { bias: spec.mlpBias });
  }
  const hidden = b.op(scope, 'Mul', [g.activation(`${scope}/act_fn`, gate, spec.activation), up]);
  return g.linear(hidden, `${p}.down_proj`, f, d, { bias: spec.mlpBias });
}

export function buildDecoder(spec: DecoderSpec, weights: CheckpointWeights): ModelProto {
  const g = new HfGraph(`thanora_import_${spec.family}`, weights, weights.dataType);
  const { b } = g;
  const d = spec.hiddenSize;
  const norm = (module: string, x: string) => g.rmsNorm(module, x, d, spec.normEps, spec.normStyle);
  let h = g.embed('/model/embed_tokens', 'model.embed_tokens.weight', spec.vocabSize, d);
  if (spec.embedScale !== undefined) h = b.op('/model/embed_tokens', 'Mul', [h, g.scalar('/model/embed_tokens', spec.embedScale)]);
  for (let l = 0; l < spec.layers; l++) {
    const p = `model.layers.${l}`;
    const scope = `/model/layers.${l}`;
    let attn = attentionBlock(g, spec, l, norm(`${p}.input_layernorm`, h));
    if (spec.sandwichNorms) attn = norm(`${p}.post_attention_layernorm`, attn);
    h = b.op(scope, 'Add', [h, attn]);
    let mlp = mlpBlock(g, spec, l, norm(spec.sandwichNorms ? `${p}.pre_feedforward_layernorm` : `${p}.post_attention_layernorm`, h));
    if (spec.sandwichNorms) mlp = norm(`${p}.post_feedforward_layernorm`, mlp);
    h = b.op(scope, 'Add', [h, mlp]);
  }
  h = norm('model.norm', h);
  // A tied head reads the embedding table through an Identity named lm_head.weight, so it resolves as `lm_head`.
  let headWeight: string | undefined;
  if (spec.tieEmbeddings) {
    weights.skip('lm_head.weight');
    headWeight = b.op('/lm_head', 'Identity', ['model.embed_tokens.weight'], {}, 'lm_head.weight');
  }
  let logits = g.linear(h, 'lm_head', d, spec.vocabSize, { weightName: headWeight });
  if (spec.finalSoftcap !== undefined) {
    const cap = spec.finalSoftcap;
    logits = b.op('/lm_head', 'Mul', [b.op('/lm_head', 'Tanh', [b.op('/lm_head', 'Mul', [logits, g.scalar('/lm_head', 1 / cap)])]), g.scalar('/lm_head', cap)]);
  }
  g.tokenLogits('/lm_head', logits, spec.vocabSize);
  weights.checkAllTaken();
  return b.build(describeDecoder(spec));
}

function describeDecoder(s: DecoderSpec): string {
  const windows = [...new Set(s.layerWindows)].map((w) => w ?? 'full').join('/');
  return (
    `${s.family} decoder imported from a Hugging Face folder: d=${s.hiddenSize}, layers=${s.layers}, heads=${s.heads} (kv ${s.kvHeads}), ` +
    `head_dim=${s.headDim}, intermediate=${s.intermediateSize}, vocab=${s.vocabSize}, rope ${s.rope.type}, attention ${windows}, ` +
    `tied embeddings=${s.tieEmbeddings}`
  );
}

