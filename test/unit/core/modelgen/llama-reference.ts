// A straightforward float64 forward pass of the LLaMA decoder, written from the Hugging Face modeling code's
// math (not from the ONNX graph), as the oracle for build-llama.ts.
import { FullLlamaConfig, headDim } from '../../../../src/core/modelgen/llama-config';
import { LlamaWeights } from '../../../../src/core/modelgen/llama-weights';

type Vec = Float64Array;

function getWeight(weights: LlamaWeights, name: string): { dims: number[]; values: Float32Array } {
  const w = weights.get(name);
  if (!w) throw new Error(`reference: no weight '${name}'`);
  return w;
}

// y = x·W with W stored [in, out]
function matVec(x: Vec, w: { dims: number[]; values: Float32Array }): Vec {
  const [dIn, dOut] = w.dims;
  const y = new Float64Array(dOut);
  for (let i = 0; i < dIn; i++) for (let j = 0; j < dOut; j++) y[j] += x[i] * w.values[i * dOut + j];
  return y;
}

function rmsNorm(x: Vec, scale: Float32Array, eps: number): Vec {
  let meanSquare = 0;
  for (const v of x) meanSquare += v * v;
  const inv = 1 / Math.sqrt(meanSquare / x.length + eps);
  return x.map((v, i) => v * inv * scale[i]);
}

// HF apply_rotary_pos_emb: x·cos + rotate_half(x)·sin, rotate_half([x1, x2]) = [−x2, x1]
function rope(x: Vec, position: number, config: FullLlamaConfig): Vec {
  const hd = x.length;
  const half = hd / 2;
  const out = new Float64Array(hd);
  for (let i = 0; i < half; i++) {
    const angle = position * config.ropeTheta ** (-(2 * i) / hd);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    out[i] = x[i] * c - x[i + half] * s;
    out[i + half] = x[i + half] * c + x[i] * s;
  }
  return out;
}

/** logits [b·s·V] for input ids and attention mask [b, s] (row-major). */
export function referenceLogits(config: FullLlamaConfig, weights: LlamaWeights, ids: number[][], mask: number[][]): Float64Array {
  const d = config.hiddenSize;
  const hd = headDim(config);
  const V = config.vocabSize;
  const embed = getWeight(weights, 'model.embed_tokens.weight');
  const out: number[] = [];
  for (let b = 0; b < ids.length; b++) {
    const s = ids[b].length;
    let h: Vec[] = ids[b].map((id) => Float64Array.from(embed.values.subarray(id * d, (id + 1) * d)));
    for (let l = 0; l < config.numLayers; l++) {
      const w = (m: string) => getWeight(weights, `model.layers.${l}.${m}.weight`);
      const xn = h.map((x) => rmsNorm(x, w('input_layernorm').values, config.rmsNormEps));
      const q = xn.map((x) => matVec(x, w('self_attn.q_proj')));
      const k = xn.map((x) => matVec(x, w('self_attn.k_proj')));
      const v = xn.map((x) => matVec(x, w('self_attn.v_proj')));
      const context = h.map(() => new Float64Array(d));
      for (let head = 0; head < config.numHeads; head++) {
        const part = (x: Vec) => x.subarray(head * hd, (head + 1) * hd);
        const qh = q.map((x, t) => rope(part(x), t, config));
        const kh = k.map((x, t) => rope(part(x), t, config));
        for (let t = 0; t < s; t++) {
          // keys u ≤ t that are not padding
          const keys = [...Array(t + 1).keys()].filter((u) => mask[b][u] === 1);
          const scores = keys.map((u) => qh[t].reduce((acc, qi, i) => acc + qi * kh[u][i], 0) / Math.sqrt(hd));
          const top = Math.max(...scores);
          const exps = scores.map((x) => Math.exp(x - top));
          const total = exps.reduce((a, c) => a + c, 0);
          keys.forEach((u, n) => {
            const p = exps[n] / total;
            for (let i = 0; i < hd; i++) context[t][head * hd + i] += p * v[u][head * hd + i];
          });
        }
      }
      h = h.map((x, t) => {
        const o = matVec(context[t], w('self_attn.o_proj'));
        return x.map((xi, i) => xi + o[i]);
      });
      h = h.map((x) => {
        const xn2 = rmsNorm(x, w('post_attention_layernorm').values, config.rmsNormEps);
        const gate = matVec(xn2, w('mlp.gate_proj'));
        const up = matVec(xn2, w('mlp.up_proj'));
        const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
        const down = matVec(act, w('mlp.down_proj'));
        return x.map((xi, i) => xi + down[i]);
      });
    }
    for (const x of h) {
      const xn = rmsNorm(x, getWeight(weights, 'model.norm.weight').values, config.rmsNormEps);
      if (config.tieEmbeddings) {
        for (let token = 0; token < V; token++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += xn[i] * embed.values[token * d + i];
          out.push(dot);
        }
      } else {
        out.push(...matVec(xn, getWeight(weights, 'lm_head.weight')));
      }
    }
  }
  return Float64Array.from(out);
}
