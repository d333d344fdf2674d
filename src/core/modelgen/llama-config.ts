// Hyper-parameters of the generated LLaMA-style decoder (names as in Hugging Face's LlamaConfig).

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** SwiGLU hidden width (intermediate_size). */
  intermediateSize: number;
  /** Longest sequence the rotary tables cover. */
  maxPositions: number;
  /** Default 1e-5. */
  rmsNormEps?: number;
  /** Default 10000. */
  ropeTheta?: number;
  /** lm_head reuses model.embed_tokens.weight (through a Transpose) instead of its own weight. Default true. */
  tieEmbeddings?: boolean;
}

export type FullLlamaConfig = Required<LlamaConfig>;

export class LlamaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LlamaConfigError';
  }
}

export function resolveLlamaConfig(config: LlamaConfig): FullLlamaConfig {
  const full: FullLlamaConfig = { rmsNormEps: 1e-5, ropeTheta: 10000, tieEmbeddings: true, ...config };
  const positive = ['vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'maxPositions'] as const;
  for (const key of positive) {
    if (!Number.isInteger(full[key]) || full[key] < 1) throw new LlamaConfigError(`LlamaConfig.${key} must be a positive integer, got ${full[key]}`);
  }
  if (full.hiddenSize % full.numHeads !== 0) {
    throw new LlamaConfigError(`LlamaConfig.hiddenSize ${full.hiddenSize} is not divisible by numHeads ${full.numHeads}; pick a hidden size that is a multiple of the head count`);
  }
  if (headDim(full) % 2 !== 0) {
    throw new LlamaConfigError(`LlamaConfig: head dimension ${headDim(full)} (hiddenSize / numHeads) must be even for rotary positions`);
  }
  if (!(full.rmsNormEps > 0)) throw new LlamaConfigError(`LlamaConfig.rmsNormEps must be > 0, got ${full.rmsNormEps}`);
  if (!(full.ropeTheta > 1)) throw new LlamaConfigError(`LlamaConfig.ropeTheta must be > 1, got ${full.ropeTheta}`);
  return full;
}

export function headDim(config: LlamaConfig): number {
  return config.hiddenSize / config.numHeads;
}

/** The per-layer linear modules, in graph order, with their [in, out] weight shapes. */
export function layerLinearShapes(config: LlamaConfig): { module: string; dims: [number, number] }[] {
  const d = config.hiddenSize;
  const f = config.intermediateSize;
  return [
    { module: 'self_attn.q_proj', dims: [d, d] },
    { module: 'self_attn.k_proj', dims: [d, d] },
    { module: 'self_attn.v_proj', dims: [d, d] },
    { module: 'self_attn.o_proj', dims: [d, d] },
    { module: 'mlp.gate_proj', dims: [d, f] },
    { module: 'mlp.up_proj', dims: [d, f] },
    { module: 'mlp.down_proj', dims: [f, d] },
  ];
}

/** Number of trainable parameters. */
export function countParameters(config: LlamaConfig): number {
  const full = resolveLlamaConfig(config);
  const perLayer = layerLinearShapes(full).reduce((s, m) => s + m.dims[0] * m.dims[1], 0) + 2 * full.hiddenSize;
  const head = full.tieEmbeddings ? 0 : full.hiddenSize * full.vocabSize;
  return full.vocabSize * full.hiddenSize + full.numLayers * perLayer + full.hiddenSize + head;
}
