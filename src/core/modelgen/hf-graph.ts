// The building blocks every imported architecture shares, as ONNX nodes named by their module path
// (`/model/layers.0/self_attn/q_proj/Gemm`) with weights named by their checkpoint key, so LoRA targets
// resolve by PEFT's own names. Hidden states flow as rows [N = b·s, d]; every linear is a Gemm with
// transB = 1 on the checkpoint's [out, in] bytes (transB = 0 for GPT-2's [in, out] Conv1D), so weights are
// used exactly as stored. Attention runs on [b, kv_heads, groups, s, head_dim], which shares each key/value
// head among its query group without copying it (repeat_kv). Masks and softmax are float32 in every dtype.
import { DataType } from '../onnx/types';
import { CheckpointWeights } from './checkpoint-weights';
import { GraphBuilder } from './graph-builder';
import { RopeSpec } from './rope';

const F = DataType.FLOAT;
/** Added to disallowed attention scores: exp underflows to exactly 0, yet a row with no allowed key stays finite. */
const MASKED_SCORE = -1e9;

export type Activation = 'silu' | 'gelu' | 'gelu_tanh' | 'quick_gelu' | 'relu' | 'tanh';

/** Hugging Face ACT2FN names → the function they compute. */
export const activationNames: Record<string, Activation> = {
  silu: 'silu',
  swish: 'silu',
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  gelu_fast: 'gelu_tanh',
  gelu_python_tanh: 'gelu_tanh',
  quick_gelu: 'quick_gelu',
  relu: 'relu',
  tanh: 'tanh',
};

/** Which keys each query may see: causal, causal within a window of `window` keys, or every key. */
export type MaskKind = { causal: true; window?: number } | { causal: false };

export interface AttentionMask {
  bias: string;
  rows: string;
}

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Multiplies q·kᵀ. */
  scaling: number;
  /** Gemma 2: scores ← cap·tanh(scores/cap) before the mask. */
  softcap?: number;
}

/**
 * The node scope of a module as torch.onnx names it: `model.layers.0.self_attn.q_proj` →
 * `/model/layers.0/self_attn/q_proj` (a ModuleList index stays with its list).
 */
export function moduleScope(module: string): string {
  return `/${module.replace(/\.(?!\d+(\.|$))/g, '/')}`;
}

export class HfGraph {
  readonly b: GraphBuilder;
  readonly inputIds: string;
  readonly attentionMask: string;
  /** [b, s] as a 1-D int64 tensor. */
  readonly batchSeq: string;
  /** s as a 1-D int64 tensor [1]. */
  readonly seqLen: string;
  private readonly masks = new Map<string, AttentionMask>();
  private readonly ropes = new Map<RopeSpec, { cos: string; sin: string }>();

  constructor(
    name: string,
    readonly weights: CheckpointWeights,
    /** FLOAT or FLOAT16: the type of weights and hidden states. */
    readonly dtype: DataType,
  ) {
    const b = (this.b = new GraphBuilder(name));
    this.inputIds = b.input('input_ids', DataType.INT64, ['batch', 'sequence']);
    this.attentionMask = b.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
    this.batchSeq = b.op('/model/shape', 'Shape', [this.inputIds]);
    this.seqLen = b.op('/model/shape', 'Slice', [this.batchSeq, b.int64s('/model/shape', [1]), b.int64s('/model/shape', [2])]);
  }

  weight(name: string, dims: number[], why: string): string {
    return this.b.tensor(this.weights.take(name, dims, why));
  }

  scalar(scope: string, value: number, type: DataType = this.dtype): string {
    return this.b.constant(scope, [], type, [value]);
  }

  toFloat(scope: string, x: string): string {
    return this.dtype === F ? x : this.b.op(scope, 'Cast', [x], { to: F });
  }

  fromFloat(scope: string, x: string): string {
    return this.dtype === F ? x : this.b.op(scope, 'Cast', [x], { to: this.dtype });
  }

  /** Rows [N, d] of the embedding table for the ids. */
  embed(scope: string, weightName: string, vocab: number, dim: number): string {
    const table = this.weight(weightName, [vocab, dim], 'vocab_size × hidden_size');
    return this.b.op(scope, 'Gather', [table, this.b.op(scope, 'Reshape', [this.inputIds, this.b.int64s(scope, [-1])])]);
  }

  /**
   * y = x·Wᵀ + b for W [out, in] as nn.Linear stores it (Gemm transB = 1), or x·W + b for W [in, out] as
   * GPT-2's Conv1D stores it. x [N, in] → [N, out]. `module` is the PEFT module path.
   */
  linear(
    x: string,
    module: string,
    dIn: number,
    dOut: number,
    options: { bias?: boolean; layout?: 'out_in' | 'in_out'; weightName?: string; output?: string } = {},
  ): string {
    const layout = options.layout ?? 'out_in';
    const scope = moduleScope(module);
    const dims = layout === 'out_in' ? [dOut, dIn] : [dIn, dOut];
    const w = options.weightName ?? this.weight(`${module}.weight`, dims, layout === 'out_in' ? `[out ${dOut}, in ${dIn}]` : `[in ${dIn}, out ${dOut}]`);
    const inputs = [x, w];
    if (options.bias) inputs.push(this.weight(`${module}.bias`, [dOut], `out ${dOut}`));
    return this.b.op(scope, 'Gemm', inputs, { transB: layout === 'out_in' ? 1 : 0 }, options.output);
  }

  /**
   * RMSNorm over the last axis in float32: y = x / √(mean(x²) + ε), then y ⊙ w ('weight', Llama: the product
   * in the model's dtype) or y ⊙ (1 + w) ('one_plus_weight', Gemma: the product in float32).
   */
  rmsNorm(module: string, x: string, dim: number, eps: number, style: 'weight' | 'one_plus_weight' = 'weight'): string {
    const { b } = this;
    const scope = moduleScope(module);
    const w = this.weight(`${module}.weight`, [dim], `${dim}`);
    const x32 = this.toFloat(scope, x);
    const meanSquare = b.op(scope, 'ReduceMean', [b.op(scope, 'Mul', [x32, x32])], { axes: [-1], keepdims: 1 });
    const normed = b.op(scope, 'Div', [x32, b.op(scope, 'Sqrt', [b.op(scope, 'Add', [meanSquare, this.scalar(scope, eps, F)])])]);
    if (style === 'weight') return b.op(scope, 'Mul', [this.fromFloat(scope, normed), w]);
    const scale = b.op(scope, 'Add', [this.toFloat(scope, w), this.scalar(scope, 1, F)]);
    return this.fromFloat(scope, b.op(scope, 'Mul', [normed, scale]));
  }

  /** LayerNorm over the last axis: (x − mean)/√(var + ε) ⊙ w + b, statistics in float32. */
  layerNorm(module: string, x: string, dim: number, eps: number): string {
    const scope = moduleScope(module);
    const w = this.weight(`${module}.weight`, [dim], `${dim}`);
    const bias = this.weight(`${module}.bias`, [dim], `${dim}`);
    return this.b.op(scope, 'LayerNormalization', [x, w, bias], { axis: -1, epsilon: { float: eps }, stash_type: 1 });
  }

  activation(scope: string, x: string, act: Activation): string {
    const { b } = this;
    const s = (v: number) => this.scalar(scope, v);
    switch (act) {
      case 'silu': // x·σ(x)
        return b.op(scope, 'Mul', [x, b.op(scope, 'Sigmoid', [x])]);
      case 'quick_gelu': // x·σ(1.702x)
        return b.op(scope, 'Mul', [x, b.op(scope, 'Sigmoid', [b.op(scope, 'Mul', [x, s(1.702)])])]);
      case 'gelu': // ½x(1 + erf(x/√2))
        return b.op(scope, 'Mul', [b.op(scope, 'Mul', [x, s(0.5)]), b.op(scope, 'Add', [b.op(scope, 'Erf', [b.op(scope, 'Mul', [x, s(Math.SQRT1_2)])]), s(1)])]);
      case 'gelu_tanh': {
        // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
        const cube = b.op(scope, 'Mul', [b.op(scope, 'Mul', [x, x]), x]);
        const inner = b.op(scope, 'Mul', [b.op(scope, 'Add', [x, b.op(scope, 'Mul', [cube, s(0.044715)])]), s(Math.sqrt(2 / Math.PI))]);
        return b.op(scope, 'Mul', [b.op(scope, 'Mul', [x, s(0.5)]), b.op(scope, 'Add', [b.op(scope, 'Tanh', [inner]), s(1)])]);
      }
      case 'relu':
        return b.op(scope, 'Relu', [x]);
      case 'tanh':
        return b.op(scope, 'Tanh', [x]);
    }
  }

  /** [N, heads·hd] → [b, s, heads, hd]. */
  splitHeads(scope: string, x: string, heads: number, headDim: number): string {
    const shape = this.b.op(scope, 'Concat', [this.batchSeq, this.b.int64s(scope, [heads, headDim])], { axis: 0 });
    return this.b.op(scope, 'Reshape', [x, shape]);
  }

  /**
   * cos, sin [s, rotaryDim] for positions 0…s−1, in float32 as HF computes them: angle = p·θ_i, both halves
   * repeat the angles, times the attention scaling; then in the model's dtype.
   */
  rotary(rope: RopeSpec): { cos: string; sin: string } {
    const cached = this.ropes.get(rope);
    if (cached) return cached;
    const { b } = this;
    const scope = '/model/rotary_emb';
    let invFreq = b.initializer('model.rotary_emb.inv_freq', [rope.invFreq.length], F, rope.invFreq);
    const seq = b.op(scope, 'Squeeze', [this.seqLen, b.int64s(scope, [0])]);
    if (rope.long) {
      // longrope: the long factors once the sequence is longer than the original context.
      const longInv = b.initializer('model.rotary_emb.long_inv_freq', [rope.long.invFreq.length], F, rope.long.invFreq);
      const isLong = b.op(scope, 'Greater', [seq, b.constant(scope, [], DataType.INT64, [rope.long.threshold])]);
      invFreq = b.op(scope, 'Where', [isLong, longInv, invFreq]);
    }
    if (rope.dynamic) invFreq = this.dynamicInvFreq(scope, seq, invFreq, rope);
    const positions = b.op(scope, 'Cast', [b.op(scope, 'Range', [b.constant(scope, [], DataType.INT64, [0]), seq, b.constant(scope, [], DataType.INT64, [1])])], { to: F });
    const angles = b.op(scope, 'Mul', [b.op(scope, 'Unsqueeze', [positions, b.int64s(scope, [1])]), b.op(scope, 'Unsqueeze', [invFreq, b.int64s(scope, [0])])]);
    const both = b.op(scope, 'Concat', [angles, angles], { axis: 1 });
    const scaled = (x: string) => (rope.attentionScaling === 1 ? x : b.op(scope, 'Mul', [x, this.scalar(scope, rope.attentionScaling, F)]));
    const result = { cos: this.fromFloat(scope, scaled(b.op(scope, 'Cos', [both]))), sin: this.fromFloat(scope, scaled(b.op(scope, 'Sin', [both]))) };
    this.ropes.set(rope, result);
    return result;
  }

  // Dynamic NTK (HF _compute_dynamic_ntk_parameters): with L = max(s, max_positions),
  // base' = base · (factor·L/max_positions − (factor − 1))^(d/(d−2)), θ_i = 1/base'^(2i/d). At L = max_positions
  // base' = base, so short sequences keep the table computed in JS.
  private dynamicInvFreq(scope: string, seq: string, staticInv: string, rope: RopeSpec): string {
    const { b } = this;
    const { factor, maxPositions, base } = rope.dynamic!;
    const d = rope.rotaryDim;
    const s = (v: number) => this.scalar(scope, v, F);
    const length = b.op(scope, 'Max', [b.op(scope, 'Cast', [seq], { to: F }), s(maxPositions)]);
    const growth = b.op(scope, 'Sub', [b.op(scope, 'Mul', [length, s(factor / maxPositions)]), s(factor - 1)]);
    const grown = b.op(scope, 'Mul', [s(base), b.op(scope, 'Pow', [growth, s(d / (d - 2))])]);
    const exponents = b.initializer('model.rotary_emb.exponents', [d / 2], F, Float32Array.from({ length: d / 2 }, (_, i) => -(2 * i) / d));
    const dynamicInv = b.op(scope, 'Pow', [grown, exponents]);
    const isLong = b.op(scope, 'Greater', [seq, b.constant(scope, [], DataType.INT64, [maxPositions])]);
    return b.op(scope, 'Where', [isLong, dynamicInv, staticInv]);
  }

  // rotate(x) = x ⊙ cos + rotate_half(x) ⊙ sin on the first rotaryDim dims, rotate_half([x1, x2]) = [−x2, x1];
  // the remaining dims pass through (partial rotary).   x [b, heads, s, hd]
  applyRotary(scope: string, x: string, rope: RopeSpec, headDim: number): string {
    const { b } = this;
    const { cos, sin } = this.rotary(rope);
    const rot = rope.rotaryDim;
    const half = rot / 2;
    const axis = b.int64s(scope, [3]);
    const slice = (from: number, to: number) => b.op(scope, 'Slice', [x, b.int64s(scope, [from]), b.int64s(scope, [to]), axis]);
    const xr = rot === headDim ? x : slice(0, rot);
    const x1 = rot === headDim ? slice(0, half) : b.op(scope, 'Slice', [xr, b.int64s(scope, [0]), b.int64s(scope, [half]), axis]);
    const x2 = rot === headDim ? slice(half, rot) : b.op(scope, 'Slice', [xr, b.int64s(scope, [half]), b.int64s(scope, [rot]), axis]);
    const rotated = b.op(scope, 'Concat', [b.op(scope, 'Neg', [x2]), x1], { axis: 3 });
    const out = b.op(scope, 'Add', [b.op(scope, 'Mul', [xr, cos]), b.op(scope, 'Mul', [rotated, sin])]);
    return rot === headDim ? out : b.op(scope, 'Concat', [out, slice(rot, headDim)], { axis: 3 });
  }

  /**
   * The mask as float32 [b, 1, 1, s, s] scores bias (0 where query i may attend key j, MASKED_SCORE elsewhere)
   * and [b, 1, 1, s, 1] query rows (1 when the row may attend some key, else 0). A key is allowed when
   * attention_mask[b, j] = 1 and, for causal masks, j ≤ i (and i − j < window for sliding windows). A row
   * with no allowed key (a padded query whose window holds only padding) gets a zero context, as torch's
   * scaled_dot_product_attention gives it; the rows with allowed keys never depend on it.
   */
  maskFor(kind: MaskKind): AttentionMask {
    const key = kind.causal ? `causal:${kind.window ?? ''}` : 'bidirectional';
    const cached = this.masks.get(key);
    if (cached) return cached;
    const { b } = this;
    const scope = kind.causal ? (kind.window ? `/model/sliding_mask_${kind.window}` : '/model/causal_mask') : '/model/padding_mask';
    const padded = b.op(scope, 'Unsqueeze', [b.op(scope, 'Cast', [this.attentionMask], { to: DataType.BOOL }), b.int64s(scope, [1, 2, 3])]);
    let allowed = padded;
    if (kind.causal) {
      const idx = b.op(scope, 'Range', [b.constant(scope, [], DataType.INT64, [0]), b.op(scope, 'Squeeze', [this.seqLen, b.int64s(scope, [0])]), b.constant(scope, [], DataType.INT64, [1])]);
      const qi = b.op(scope, 'Unsqueeze', [idx, b.int64s(scope, [1])]);
      const kj = b.op(scope, 'Unsqueeze', [idx, b.int64s(scope, [0])]);
      let visible = b.op(scope, 'LessOrEqual', [kj, qi]);
      if (kind.window) {
        // HF sliding_window_overlay: kv_idx > q_idx − window
        const inWindow = b.op(scope, 'Greater', [kj, b.op(scope, 'Sub', [qi, b.constant(scope, [], DataType.INT64, [kind.window])])]);
        visible = b.op(scope, 'And', [visible, inWindow]);
      }
      allowed = b.op(scope, 'And', [padded, visible]);
    }
    const bias = b.op(scope, 'Where', [allowed, this.scalar(scope, 0, F), this.scalar(scope, MASKED_SCORE, F)]);
    const rows = this.fromFloat(scope, b.op(scope, 'ReduceMax', [b.op(scope, 'Cast', [allowed], { to: F })], { axes: [-1], keepdims: 1 }));
    const mask = { bias, rows };
    this.masks.set(key, mask);
    return mask;
  }

  /**
   * softmax(q·kᵀ·scaling + bias)·v for q [N, H·hd], k and v [N, KV·hd] → [N, H·hd]. q and k may be
   * transformed per head first (`perHead`: q/k norms, rotary), on [b, heads, s, hd].
   */
  attention(scope: string, q: string, k: string, v: string, shape: AttentionShape, mask: AttentionMask, perHead: (which: 'q' | 'k', x: string) => string = (_, x) => x): string {
    const { b } = this;
    const { heads, kvHeads, headDim } = shape;
    const groups = heads / kvHeads;
    const transposeHeads = (x: string) => b.op(scope, 'Transpose', [x], { perm: [0, 2, 1, 3] });
    // [b, H, s, hd] → [b, KV, groups, s, hd]: query head h = kv·groups + g uses key/value head kv (repeat_kv).
    const q5 = b.op(scope, 'Reshape', [perHead('q', transposeHeads(this.splitHeads(scope, q, heads, headDim))), b.int64s(scope, [0, kvHeads, groups, -1, headDim])]);
    const unsqueeze = (x: string) => b.op(scope, 'Unsqueeze', [x, b.int64s(scope, [2])]);
    const k5 = unsqueeze(perHead('k', transposeHeads(this.splitHeads(scope, k, kvHeads, headDim))));
    const v5 = unsqueeze(transposeHeads(this.splitHeads(scope, v, kvHeads, headDim)));
    // scores [b, KV, groups, s, s]
    let scores = b.op(scope, 'Mul', [b.op(scope, 'MatMul', [q5, b.op(scope, 'Transpose', [k5], { perm: [0, 1, 2, 4, 3] })]), this.scalar(scope, shape.scaling)]);
    scores = this.toFloat(scope, scores);
    if (shape.softcap !== undefined) {
      const cap = shape.softcap;
      scores = b.op(scope, 'Mul', [b.op(scope, 'Tanh', [b.op(scope, 'Mul', [scores, this.scalar(scope, 1 / cap, F)])]), this.scalar(scope, cap, F)]);
    }
    const probs = this.fromFloat(scope, b.op(scope, 'Softmax', [b.op(scope, 'Add', [scores, mask.bias])], { axis: -1 }));
    // context [b, KV, groups, s, hd] → [b, H, s, hd] → [b, s, H, hd] → [N, H·hd]
    const attended = b.op(scope, 'Mul', [b.op(scope, 'MatMul', [probs, v5]), mask.rows]);
    const context = b.op(scope, 'Reshape', [attended, b.int64s(scope, [0, heads, -1, headDim])]);
    return b.op(scope, 'Reshape', [transposeHeads(context), b.int64s(scope, [-1, heads * headDim])]);
  }

  /** logits [b, s, vocab] from rows [N, vocab], as the graph output `logits`. */
  tokenLogits(scope: string, rows: string, vocab: number): void {
    const { b } = this;
    const shape = b.op(scope, 'Concat', [this.batchSeq, b.int64s(scope, [vocab])], { axis: 0 });
    b.op(scope, 'Reshape', [rows, shape], {}, 'logits');
    b.output('logits', this.dtype, ['batch', 'sequence', vocab]);
  }
}
