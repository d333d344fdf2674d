// A LLaMA-style byte-level decoder as an ONNX graph: token embedding, L blocks of
// (RMSNorm → causal self-attention with rotary positions → residual, RMSNorm → SwiGLU MLP → residual),
// a final RMSNorm and the lm_head. Inputs input_ids, attention_mask [batch, sequence] int64 (right padding,
// positions 0…s−1); output logits [batch, sequence, vocab] float32. Weights and node names follow Hugging
// Face exports (model.layers.0.self_attn.q_proj.weight, /model/layers.0/self_attn/q_proj/MatMul).
import { DataType, ModelProto } from '../onnx/types';
import { GraphBuilder } from './graph-builder';
import { FullLlamaConfig, LlamaConfig, headDim, layerLinearShapes, resolveLlamaConfig } from './llama-config';
import { LlamaWeights, initLlamaWeights } from './llama-weights';

/** Added to masked attention scores: far below any real score, yet finite, so a softmax never sees −∞ − −∞. */
const MASKED_SCORE = -1e9;
const F = DataType.FLOAT;

/**
 * Rotary tables [maxPositions, headDim] as in HF's LlamaRotaryEmbedding: θ_i = base^(−2i/hd), i < hd/2,
 * angle(p, i) = p·θ_i, and both halves repeat the angles: cos = [cos(angle), cos(angle)].
 */
export function rotaryTables(config: FullLlamaConfig): { cos: Float32Array; sin: Float32Array } {
  const hd = headDim(config);
  const half = hd / 2;
  const cos = new Float32Array(config.maxPositions * hd);
  const sin = new Float32Array(config.maxPositions * hd);
  for (let p = 0; p < config.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * config.ropeTheta ** (-(2 * i) / hd);
      cos[p * hd + i] = cos[p * hd + half + i] = Math.cos(angle);
      sin[p * hd + i] = sin[p * hd + half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

class LlamaGraph {
  readonly b: GraphBuilder;
  private readonly hd: number;

  constructor(
    private readonly config: FullLlamaConfig,
    private readonly weights: LlamaWeights,
  ) {
    this.b = new GraphBuilder('thanora_byte_llama');
    this.hd = headDim(config);
  }

  weight(name: string): string {
    const w = this.weights.get(name);
    if (!w) throw new Error(`build-llama: no initial value for weight '${name}'`);
    return this.b.initializer(name, w.dims, F, w.values);
  }

  private scalar(scope: string, value: number): string {
    return this.b.constant(scope, [], F, [value]);
  }

  // y = x / √(mean(x², last axis) + ε) ⊙ w     x [b, s, d]
  rmsNorm(scope: string, x: string, weightName: string): string {
    const { b } = this;
    const meanSquare = b.op(scope, 'ReduceMean', [b.op(scope, 'Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const rms = b.op(scope, 'Sqrt', [b.op(scope, 'Add', [meanSquare, this.scalar(scope, this.config.rmsNormEps)])]);
    return b.op(scope, 'Mul', [b.op(scope, 'Div', [x, rms]), this.weight(weightName)]);
  }

  linear(scope: string, x: string, weightName: string): string {
    return this.b.op(scope, 'MatMul', [x, this.weight(weightName)]);
  }

  // [b, s, d] → [b, H, s, hd]
  private splitHeads(scope: string, x: string): string {
    const shaped = this.b.op(scope, 'Reshape', [x, this.b.int64s(scope, [0, 0, this.config.numHeads, this.hd])]);
    return this.b.op(scope, 'Transpose', [shaped], { perm: [0, 2, 1, 3] });
  }

  // rotate(x) = x ⊙ cos + rotate_half(x) ⊙ sin, rotate_half([x1, x2]) = [−x2, x1] on the last axis.   x [b, H, s, hd]
  private rotate(scope: string, x: string, cos: string, sin: string): string {
    const { b } = this;
    const half = this.hd / 2;
    const axis = b.int64s(scope, [3]);
    const x1 = b.op(scope, 'Slice', [x, b.int64s(scope, [0]), b.int64s(scope, [half]), axis]);
    const x2 = b.op(scope, 'Slice', [x, b.int64s(scope, [half]), b.int64s(scope, [this.hd]), axis]);
    const rotated = b.op(scope, 'Concat', [b.op(scope, 'Neg', [x2]), x1], { axis: 3 });
    return b.op(scope, 'Add', [b.op(scope, 'Mul', [x, cos]), b.op(scope, 'Mul', [rotated, sin])]);
  }

  attention(l: number, x: string, cos: string, sin: string, bias: string): string {
    const { b } = this;
    const scope = `/model/layers.${l}/self_attn`;
    const w = (m: string) => `model.layers.${l}.self_attn.${m}.weight`;
    const q = this.rotate(scope, this.splitHeads(scope, this.linear(`${scope}/q_proj`, x, w('q_proj'))), cos, sin);
    const k = this.rotate(scope, this.splitHeads(scope, this.linear(`${scope}/k_proj`, x, w('k_proj'))), cos, sin);
    const v = this.splitHeads(scope, this.linear(`${scope}/v_proj`, x, w('v_proj')));
    // scores = q·kᵀ / √hd + bias   [b, H, s, s]; bias [b, 1, s, s] masks future and padded keys.
    const kT = b.op(scope, 'Transpose', [k], { perm: [0, 1, 3, 2] });
    const scaled = b.op(scope, 'Mul', [b.op(scope, 'MatMul', [q, kT]), this.scalar(scope, 1 / Math.sqrt(this.hd))]);
    const probs = b.op(scope, 'Softmax', [b.op(scope, 'Add', [scaled, bias])], { axis: -1 });
    // context = probs·v [b, H, s, hd] → [b, s, H, hd] → [b, s, d]
    const context = b.op(scope, 'Transpose', [b.op(scope, 'MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
    const merged = b.op(scope, 'Reshape', [context, b.int64s(scope, [0, 0, this.config.hiddenSize])]);
    return this.linear(`${scope}/o_proj`, merged, w('o_proj'));
  }

  // SwiGLU: down( silu(x·W_gate) ⊙ (x·W_up) ),  silu(g) = g·σ(g)
  mlp(l: number, x: string): string {
    const { b } = this;
    const scope = `/model/layers.${l}/mlp`;
    const w = (m: string) => `model.layers.${l}.mlp.${m}.weight`;
    const gate = this.linear(`${scope}/gate_proj`, x, w('gate_proj'));
    const up = this.linear(`${scope}/up_proj`, x, w('up_proj'));
    const silu = b.op(`${scope}/act_fn`, 'Mul', [gate, b.op(`${scope}/act_fn`, 'Sigmoid', [gate])]);
    return this.linear(`${scope}/down_proj`, b.op(scope, 'Mul', [silu, up]), w('down_proj'));
  }

  /** Attention bias [b, 1, s, s]: MASKED_SCORE above the diagonal (future keys) and on padded keys, else 0. */
  attentionBias(inputIds: string, attentionMask: string): string {
    const { b } = this;
    const scope = '/model/attention_bias';
    const seqLen = b.op(scope, 'Slice', [b.op(scope, 'Shape', [inputIds]), b.int64s(scope, [1]), b.int64s(scope, [2])]);
    const square = b.op(scope, 'Concat', [seqLen, seqLen], { axis: 0 });
    const filled = b.op(scope, 'ConstantOfShape', [square], { value: makeFloatScalar(MASKED_SCORE) });
    const causal = b.op(scope, 'Trilu', [filled, b.constant(scope, [], DataType.INT64, [1])], { upper: 1 });
    // padded key j: (1 − mask[b, j])·MASKED_SCORE, as [b, 1, 1, s]
    const keep = b.op(scope, 'Cast', [attentionMask], { to: F });
    const padded = b.op(scope, 'Mul', [b.op(scope, 'Sub', [this.scalar(scope, 1), keep]), this.scalar(scope, MASKED_SCORE)]);
    const padBias = b.op(scope, 'Unsqueeze', [padded, b.int64s(scope, [1, 2])]);
    return b.op(scope, 'Add', [causal, padBias]);
  }

  /** cos, sin [s, hd] for positions 0…s−1. */
  rotaryForLength(inputIds: string): { cos: string; sin: string } {
    const { b } = this;
    const scope = '/model/rotary_emb';
    const tables = rotaryTables(this.config);
    const seqLen = b.op(scope, 'Slice', [b.op(scope, 'Shape', [inputIds]), b.int64s(scope, [1]), b.int64s(scope, [2])]);
    const dims = [this.config.maxPositions, this.hd];
    const cosTable = b.initializer('model.rotary_emb.cos_table', dims, F, tables.cos);
    const sinTable = b.initializer('model.rotary_emb.sin_table', dims, F, tables.sin);
    const start = b.int64s(scope, [0]);
    const axis = b.int64s(scope, [0]);
    return {
      cos: b.op(scope, 'Slice', [cosTable, start, seqLen, axis]),
      sin: b.op(scope, 'Slice', [sinTable, start, seqLen, axis]),
    };
  }
}

function makeFloatScalar(value: number) {
  return { name: 'value', dims: [1], dataType: F, raw: new Uint8Array(new Float32Array([value]).buffer) };
}

export interface BuildLlamaOptions {
  /** Initial weights; default: initLlamaWeights(config, { seed }). */
  weights?: LlamaWeights;
  /** Seed of the default initialization. Default 0. */
  seed?: number;
}

/** The decoder as an ONNX model with its weights as initializers. */
export function buildLlamaModel(config: LlamaConfig, options: BuildLlamaOptions = {}): ModelProto {
  const full = resolveLlamaConfig(config);
  const weights = options.weights ?? initLlamaWeights(full, { seed: options.seed ?? 0 });
  const g = new LlamaGraph(full, weights);
  const { b } = g;
  const inputIds = b.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const attentionMask = b.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  let hidden = b.op('/model/embed_tokens', 'Gather', [g.weight('model.embed_tokens.weight'), inputIds]);
  const { cos, sin } = g.rotaryForLength(inputIds);
  const bias = g.attentionBias(inputIds, attentionMask);
  for (let l = 0; l < full.numLayers; l++) {
    const prefix = `model.layers.${l}`;
    const scope = `/model/layers.${l}`;
    const attnIn = g.rmsNorm(`${scope}/input_layernorm`, hidden, `${prefix}.input_layernorm.weight`);
    hidden = b.op(scope, 'Add', [hidden, g.attention(l, attnIn, cos, sin, bias)]);
    const mlpIn = g.rmsNorm(`${scope}/post_attention_layernorm`, hidden, `${prefix}.post_attention_layernorm.weight`);
    hidden = b.op(scope, 'Add', [hidden, g.mlp(l, mlpIn)]);
  }
  const normed = g.rmsNorm('/model/norm', hidden, 'model.norm.weight');
  const headWeight = full.tieEmbeddings
    ? b.op('/lm_head', 'Transpose', ['model.embed_tokens.weight'], { perm: [1, 0] })
    : g.weight('lm_head.weight');
  b.op('/lm_head', 'MatMul', [normed, headWeight], {}, 'logits');
  b.output('logits', F, ['batch', 'sequence', full.vocabSize]);
  const shapes = layerLinearShapes(full).map((m) => m.module.split('.')[1]).join(', ');
  const model = b.build(
    `LLaMA-style byte decoder: d=${full.hiddenSize}, layers=${full.numLayers}, heads=${full.numHeads}, ` +
      `intermediate=${full.intermediateSize}, vocab=${full.vocabSize}, max positions=${full.maxPositions}, ` +
      `tied embeddings=${full.tieEmbeddings}; linear modules per layer: ${shapes}`,
  );
  model.metadata.push({ key: LLAMA_CONFIG_METADATA_KEY, value: JSON.stringify(full) });
  return model;
}

/** Metadata key holding the full config as JSON, so tools can rebuild or describe the model. */
export const LLAMA_CONFIG_METADATA_KEY = 'thanora.llama_config';
