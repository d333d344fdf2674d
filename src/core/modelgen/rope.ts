// Rotary position embeddings as Hugging Face computes them (modeling_rope_utils.py): the inverse frequencies
// of every rope_type the importer supports, computed in float32 step by step as torch does (the model's
// rotary module runs in float32 even in a float64 model), so the graph's tables are the ones transformers uses.
import { HfConfig, JsonObject } from './hf-config';
import { HfImportError } from './import-errors';

const f = Math.fround;

export type RopeType = 'default' | 'linear' | 'dynamic' | 'llama3' | 'yarn' | 'longrope';

export interface RopeSpec {
  type: RopeType;
  /** Leading dims of each head that rotate (head_dim · partial_rotary_factor); the rest pass through. */
  rotaryDim: number;
  /** θ_i for i < rotaryDim/2, float32. */
  invFreq: Float32Array;
  /** cos and sin are multiplied by this (yarn, longrope); 1 otherwise. */
  attentionScaling: number;
  /** longrope: θ from long_factor, used when the sequence is longer than `threshold` tokens. */
  long?: { invFreq: Float32Array; threshold: number };
  /** dynamic NTK: past `maxPositions` tokens the base grows with the sequence (HF's dynamic_rope_update). */
  dynamic?: { factor: number; maxPositions: number; base: number };
}

const allowedKeys: Record<RopeType, string[]> = {
  default: [],
  linear: ['factor'],
  dynamic: ['factor'],
  llama3: ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'],
  yarn: ['factor', 'attention_factor', 'beta_fast', 'beta_slow', 'mscale', 'mscale_all_dim', 'original_max_position_embeddings', 'truncate'],
  longrope: ['short_factor', 'long_factor', 'factor', 'attention_factor', 'original_max_position_embeddings'],
};

/** θ_i = 1 / base^(2i/d) in float32, as `1.0 / (base ** (torch.arange(0, d, 2).float() / d))`. */
function baseInvFreq(base: number, dim: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < out.length; i++) out[i] = f(1 / f(Math.pow(f(base), f((2 * i) / dim))));
  return out;
}

function num(params: JsonObject, key: string, where: string, fallback?: number): number {
  const v = params[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new HfImportError(`${where}: "${key}" is ${JSON.stringify(params[key])}; expected a number`);
  return v;
}

// Llama 3.1: low frequencies (long wavelengths) are divided by `factor`, high ones kept, and the band in
// between interpolated by smooth = (L/λ − low)/(high − low), with λ = 2π/θ and L the original context.
function llama3InvFreq(inv: Float32Array, p: JsonObject, where: string, originalMax: number): Float32Array {
  const factor = num(p, 'factor', where);
  const low = num(p, 'low_freq_factor', where);
  const high = num(p, 'high_freq_factor', where);
  const lowWavelen = originalMax / low;
  const highWavelen = originalMax / high;
  return inv.map((theta) => {
    const wavelen = f(f(2 * Math.PI) / theta);
    const scaled = wavelen > lowWavelen ? f(theta / factor) : theta;
    if (wavelen < highWavelen || wavelen > lowWavelen) return scaled;
    const smooth = f((f(originalMax / wavelen) - low) / (high - low));
    return f(f(f(f(1 - smooth) * scaled) / factor) + f(smooth * scaled));
  });
}

// YaRN: θ blends interpolation (θ/factor) and extrapolation (θ) with a linear ramp over the dims between the
// correction range of beta_fast and beta_slow rotations; cos and sin get the attention factor.
function yarn(p: JsonObject, where: string, base: number, dim: number, maxPositions: number, originalMax: number): { invFreq: Float32Array; scaling: number } {
  const factor = p.factor === undefined || p.factor === null ? maxPositions / originalMax : num(p, 'factor', where);
  const mscaleOf = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let scaling: number;
  if (typeof p.attention_factor === 'number') scaling = p.attention_factor;
  else if (p.mscale && p.mscale_all_dim) scaling = mscaleOf(factor, num(p, 'mscale', where)) / mscaleOf(factor, num(p, 'mscale_all_dim', where));
  else scaling = mscaleOf(factor);
  const betaFast = (p.beta_fast as number) || 32;
  const betaSlow = (p.beta_slow as number) || 1;
  const truncate = p.truncate === undefined ? true : p.truncate === true;
  const correction = (rotations: number) => (dim * Math.log(originalMax / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
  let low = correction(betaFast);
  let high = correction(betaSlow);
  if (truncate) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001;
  const half = dim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const posFreq = f(Math.pow(f(base), f((2 * i) / dim)));
    const extrapolation = f(1 / posFreq);
    const interpolation = f(1 / f(factor * posFreq));
    const ramp = Math.min(1, Math.max(0, f(f(i - low) / f(high - low))));
    const keep = f(1 - ramp);
    invFreq[i] = f(f(interpolation * f(1 - keep)) + f(extrapolation * keep));
  }
  return { invFreq, scaling };
}

function factorList(p: JsonObject, key: string, where: string, half: number): Float32Array {
  const v = p[key];
  if (!Array.isArray(v) || v.length !== half || !v.every((x) => typeof x === 'number')) {
    throw new HfImportError(`${where}: "${key}" must be a list of ${half} numbers (one per rotary frequency), got ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  return Float32Array.from(v as number[]);
}

export interface RopeOptions {
  headDim: number;
  maxPositions: number;
  /** Whether partial rotary embeddings (partial_rotary_factor < 1) are implemented by the architecture. */
  partialRotary: boolean;
  /** Phi-3 maps the legacy rope types "su" and "yarn" to "longrope". */
  legacyLongrope?: boolean;
  /** Phi-3 always has original_max_position_embeddings (default 4096), and it wins over the rope dict's. */
  originalMaxDefault?: number;
}

/** The rotary embedding of `config` (transformers 5 `rope_parameters`, or 4.x `rope_scaling` + `rope_theta`). */
export function readRope(config: HfConfig, options: RopeOptions): RopeSpec {
  const where = `${config.file}: rope parameters`;
  // As PretrainedConfig.convert_rope_params_to_dict: a 4.x `rope_scaling` wins over `rope_parameters`.
  const legacy = config.object('rope_scaling');
  const params: JsonObject = { ...(legacy ?? config.object('rope_parameters') ?? {}) };
  let type = String(params.rope_type ?? params.type ?? 'default');
  if (options.legacyLongrope && (type === 'su' || type === 'yarn')) type = 'longrope';
  if (!(type in allowedKeys)) {
    throw new HfImportError(`${where}: rope_type "${type}" is not supported; supported: ${Object.keys(allowedKeys).map((t) => `"${t}"`).join(', ')}`);
  }
  const ropeType = type as RopeType;
  const base = num(params, 'rope_theta', where, config.optionalNumber('rope_theta') ?? 10000);
  const partial = num(params, 'partial_rotary_factor', where, config.optionalNumber('partial_rotary_factor') ?? 1);
  const known = new Set(['rope_type', 'type', 'rope_theta', 'partial_rotary_factor', ...allowedKeys[ropeType]]);
  const unknown = Object.keys(params).filter((k) => !known.has(k) && params[k] !== null);
  if (unknown.length > 0) {
    throw new HfImportError(`${where}: ${unknown.map((k) => `"${k}"`).join(', ')} not supported for rope_type "${ropeType}" (it reads ${[...known].join(', ')})`);
  }
  if (partial !== 1 && !options.partialRotary) throw new HfImportError(`${where}: partial_rotary_factor ${partial} is not supported by this architecture (only 1)`);
  const rotaryDim = Math.trunc(options.headDim * partial);
  if (rotaryDim < 2 || rotaryDim % 2 !== 0) throw new HfImportError(`${where}: rotary dimension ${rotaryDim} (head_dim × partial_rotary_factor) must be even and ≥ 2`);
  const topOriginal = config.optionalInt('original_max_position_embeddings') ?? options.originalMaxDefault;
  const originalMax = ['llama3', 'yarn', 'longrope'].includes(ropeType)
    ? (topOriginal ?? (params.original_max_position_embeddings as number | undefined) ?? options.maxPositions)
    : options.maxPositions;
  const inv = baseInvFreq(base, rotaryDim);
  const spec = (invFreq: Float32Array, attentionScaling = 1): RopeSpec => ({ type: ropeType, rotaryDim, invFreq, attentionScaling });
  switch (ropeType) {
    case 'default':
      return spec(inv);
    case 'linear': {
      const factor = num(params, 'factor', where);
      return spec(inv.map((t) => f(t / factor)));
    }
    case 'dynamic':
      return { ...spec(inv), dynamic: { factor: num(params, 'factor', where), maxPositions: options.maxPositions, base } };
    case 'llama3':
      return spec(llama3InvFreq(inv, params, where, originalMax));
    case 'yarn': {
      const { invFreq, scaling } = yarn(params, where, base, rotaryDim, options.maxPositions, originalMax);
      return spec(invFreq, scaling);
    }
    case 'longrope': {
      const half = rotaryDim / 2;
      const factor = typeof params.factor === 'number' ? params.factor : options.maxPositions / originalMax;
      const scaling =
        typeof params.attention_factor === 'number' ? params.attention_factor : factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMax));
      // θ_i = 1 / (ext_i · base^(2i/d)), with ext the short factors up to the original context, the long ones past it.
      const scaled = (ext: Float32Array) => ext.map((e, i) => f(1 / f(e * f(Math.pow(f(base), f((2 * i) / rotaryDim))))));
      return {
        ...spec(scaled(factorList(params, 'short_factor', where, half)), scaling),
        long: { invFreq: scaled(factorList(params, 'long_factor', where, half)), threshold: originalMax },
      };
    }
  }
}
