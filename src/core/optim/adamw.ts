// AdamW with decoupled weight decay: the update of torch.optim.AdamW (single-tensor path, amsgrad off).
// State per parameter: slots `${param}/m` (first moment) and `${param}/v` (second moment), float32 like
// PyTorch's; one step counter shared by all parameters.
import { ParamMap, paramEntries, paramLookup } from './param-map';

export class AdamWError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdamWError';
  }
}

export interface AdamWOptions {
  lr: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
  /** Default 0.01 (PyTorch's AdamW default). */
  weightDecay?: number;
  /**
   * Per-element multipliers of the learning rate, by parameter name (parameters not listed use 1): element i
   * updates with lr·scale[i], decay included, as if it sat in a PyTorch parameter group of that lr.
   */
  lrScales?: ReadonlyMap<string, Float32Array>;
}

/** Everything a checkpoint needs to resume bit-identically (the parameters are saved separately). */
export interface AdamWState {
  /** Steps taken so far. */
  step: number;
  /** `${param}/m` and `${param}/v`, one pair per parameter. */
  slots: Record<string, Float32Array>;
}

export const momentSlot = (param: string): string => `${param}/m`;
export const varianceSlot = (param: string): string => `${param}/v`;

export class AdamW {
  readonly options: Required<Omit<AdamWOptions, 'lrScales'>>;
  private readonly lrScales: ReadonlyMap<string, Float32Array>;
  private slots = new Map<string, Float32Array>();
  private steps = 0;

  constructor(options: AdamWOptions) {
    const { lrScales, ...rest } = options;
    this.options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...rest };
    this.lrScales = lrScales ?? new Map();
    const { lr, beta1, beta2, eps, weightDecay } = this.options;
    const bad = (what: string) => new AdamWError(`AdamW: ${what}`);
    if (!(lr >= 0)) throw bad(`lr must be ≥ 0, got ${lr}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw bad(`beta1 must be in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw bad(`beta2 must be in [0, 1), got ${beta2}`);
    if (!(eps >= 0)) throw bad(`eps must be ≥ 0, got ${eps}`);
    if (!(weightDecay >= 0)) throw bad(`weightDecay must be ≥ 0, got ${weightDecay}`);
    for (const [name, scale] of this.lrScales) {
      const i = scale.findIndex((x) => !(x >= 0 && Number.isFinite(x)));
      if (i >= 0) throw bad(`lrScales of '${name}' must be finite and ≥ 0, got ${scale[i]} at element ${i}`);
    }
  }

  get stepCount(): number {
    return this.steps;
  }

  slot(name: string): Float32Array | undefined {
    return this.slots.get(name);
  }

  /**
   * One update of every parameter in place, t = step count after this call (lr times the element's lrScales
   * entry, when it has one):
   *   p ← p·(1 − lr·wd)
   *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
   *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
   * Arithmetic is in float64 per element, rounded to float32 wherever PyTorch stores a float32 tensor.
   */
  step(params: ParamMap, grads: ParamMap, lr = this.options.lr): void {
    const entries = paramEntries(params);
    this.checkParams(entries, grads);
    const { beta1, beta2, eps, weightDecay } = this.options;
    const t = this.steps + 1;
    const stepSize = lr / (1 - beta1 ** t);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** t);
    const decay = 1 - lr * weightDecay;
    for (const [name, p] of entries) {
      const g = paramLookup(grads, name)!;
      const m = this.slotFor(momentSlot(name), p.length);
      const v = this.slotFor(varianceSlot(name), p.length);
      const scale = this.lrScales.get(name);
      if (scale && scale.length !== p.length) throw new AdamWError(`AdamW: lrScales of '${name}' has ${scale.length} elements but the parameter has ${p.length}`);
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        const k = scale ? scale[i] : 1;
        const decayed = Math.fround(p[i] * (k === 1 ? decay : 1 - lr * k * weightDecay));
        p[i] = decayed - (k * stepSize * m[i]) / (Math.sqrt(v[i]) / bias2Sqrt + eps);
      }
    }
    this.steps = t;
  }

  /** A deep copy of the state. */
  exportState(): AdamWState {
    const slots: Record<string, Float32Array> = {};
    for (const [name, values] of this.slots) slots[name] = values.slice();
    return { step: this.steps, slots };
  }

  /** Replaces the state by a copy of `state` (from exportState, possibly through a checkpoint file). */
  importState(state: AdamWState): void {
    if (!Number.isSafeInteger(state.step) || state.step < 0) throw new AdamWError(`AdamW state: step must be a non-negative integer, got ${state.step}`);
    const slots = new Map<string, Float32Array>();
    for (const [name, values] of Object.entries(state.slots)) {
      if (!(values instanceof Float32Array)) throw new AdamWError(`AdamW state: slot '${name}' must be a Float32Array`);
      const param = name.replace(/\/[mv]$/, '');
      if (param === name) throw new AdamWError(`AdamW state: slot '${name}' is not named '<param>/m' or '<param>/v'`);
      const partner = name.endsWith('/m') ? varianceSlot(param) : momentSlot(param);
      if (state.slots[partner]?.length !== values.length) {
        throw new AdamWError(`AdamW state: slot '${name}' has no partner '${partner}' of the same length (${values.length}); the checkpoint is incomplete`);
      }
      slots.set(name, values.slice());
    }
    if (state.step === 0 && slots.size > 0) throw new AdamWError('AdamW state: step is 0 but moment slots are present; the checkpoint is inconsistent');
    this.slots = slots;
    this.steps = state.step;
  }

  /** Every parameter needs a gradient of its size; after the first step the parameter set is fixed. */
  private checkParams(entries: [string, Float32Array][], grads: ParamMap): void {
    for (const [name, p] of entries) {
      const g = paramLookup(grads, name);
      if (!g) throw new AdamWError(`AdamW: parameter '${name}' has no gradient; pass a gradient for every parameter being trained`);
      if (g.length !== p.length) throw new AdamWError(`AdamW: gradient of '${name}' has ${g.length} elements but the parameter has ${p.length}`);
      const m = this.slots.get(momentSlot(name));
      if (this.steps > 0 && !m) {
        throw new AdamWError(`AdamW: parameter '${name}' has no state after ${this.steps} steps; the set of trained parameters cannot change mid-run (one step counter is shared)`);
      }
      if (m && m.length !== p.length) throw new AdamWError(`AdamW: state of '${name}' has ${m.length} elements but the parameter has ${p.length}; the checkpoint belongs to another model`);
    }
    const given = new Set(entries.map(([name]) => name));
    for (const slot of this.slots.keys()) {
      const param = slot.slice(0, -2);
      if (!given.has(param)) throw new AdamWError(`AdamW: parameter '${param}' has state but was not passed to step(); pass every trained parameter each step`);
    }
  }

  private slotFor(name: string, length: number): Float32Array {
    let s = this.slots.get(name);
    if (!s) {
      s = new Float32Array(length);
      this.slots.set(name, s);
    }
    return s;
  }
}
