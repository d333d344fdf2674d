// Initial weights of the generated decoder, deterministic from a seed, named like Hugging Face LLaMA
// checkpoints. Linear weights are stored [in, out] (what MatMul reads), not PyTorch's [out, in].
import { Rng } from '../data/rng';
import { FullLlamaConfig, layerLinearShapes } from './llama-config';

export type LlamaWeights = Map<string, { dims: number[]; values: Float32Array }>;

export interface InitOptions {
  seed: number;
  /** Std of the normal init (HF initializer_range). Default 0.02. */
  std?: number;
}

function normalValues(rng: Rng, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal() * std;
  return out;
}

/**
 * N(0, std²) for embeddings and projections, ones for RMSNorm scales. The projections that write into the
 * residual stream (o_proj, down_proj) get std / √(2·layers), as in GPT-2, so the stream's variance does not
 * grow with depth at initialization. Each tensor draws from its own stream named by the tensor, so adding a
 * layer does not change the others.
 */
export function initLlamaWeights(config: FullLlamaConfig, options: InitOptions): LlamaWeights {
  const std = options.std ?? 0.02;
  const weights: LlamaWeights = new Map();
  const add = (name: string, dims: number[], values: Float32Array) => weights.set(name, { dims, values });
  const normal = (name: string, dims: number[], scale: number) =>
    add(name, dims, normalValues(Rng.derive(options.seed, name), dims[0] * dims[1], scale));
  const ones = (name: string) => add(name, [config.hiddenSize], new Float32Array(config.hiddenSize).fill(1));
  const residualStd = std / Math.sqrt(2 * config.numLayers);

  normal('model.embed_tokens.weight', [config.vocabSize, config.hiddenSize], std);
  for (let l = 0; l < config.numLayers; l++) {
    const prefix = `model.layers.${l}`;
    ones(`${prefix}.input_layernorm.weight`);
    ones(`${prefix}.post_attention_layernorm.weight`);
    for (const { module, dims } of layerLinearShapes(config)) {
      const writesResidual = module.endsWith('o_proj') || module.endsWith('down_proj');
      normal(`${prefix}.${module}.weight`, dims, writesResidual ? residualStd : std);
    }
  }
  ones('model.norm.weight');
  if (!config.tieEmbeddings) normal('lm_head.weight', [config.hiddenSize, config.vocabSize], std);
  return weights;
}
