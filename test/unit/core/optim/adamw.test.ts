import * as assert from 'assert';
import { encodeSafetensors, parseSafetensors } from '../../../../src/core/io/safetensors';
import { AdamW, AdamWError } from '../../../../src/core/optim/adamw';
import { adamwStateFromSafetensors, adamwStateToSafetensors } from '../../../../src/core/optim/adamw-checkpoint';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const copy = (m: Record<string, Float32Array>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.slice()]));

/** Straightforward float64 AdamW (torch.optim.AdamW's formulas), no float32 rounding anywhere. */
class ReferenceAdamW {
  m = new Map<string, Float64Array>();
  v = new Map<string, Float64Array>();
  t = 0;
  constructor(readonly o: { beta1: number; beta2: number; eps: number; weightDecay: number }) {}
  step(params: Record<string, Float64Array>, grads: Record<string, Float64Array>, lr: number): void {
    this.t++;
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      const m = this.m.get(name) ?? new Float64Array(p.length);
      const v = this.v.get(name) ?? new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) {
        p[i] -= lr * this.o.weightDecay * p[i];
        m[i] = this.o.beta1 * m[i] + (1 - this.o.beta1) * g[i];
        v[i] = this.o.beta2 * v[i] + (1 - this.o.beta2) * g[i] * g[i];
        const mHat = m[i] / (1 - this.o.beta1 ** this.t);
        const vHat = v[i] / (1 - this.o.beta2 ** this.t);
        p[i] -= (lr * mHat) / (Math.sqrt(vHat) + this.o.eps);
      }
      this.m.set(name, m);
      this.v.set(name, v);
    }
  }
}

describe('AdamW', () => {
  it('first step with wd = 0 moves each parameter by lr·sign(g)', () => {
    const p = { w: Float32Array.from([0.5, -1, 2, 0.25]) };
    const g = { w: Float32Array.from([0.3, -2, 1e-3, 5]) };
    const before = p.w.slice();
    new AdamW({ lr: 0.01, weightDecay: 0 }).step(p, g);
    // m̂ = g, v̂ = g² after one step, so Δ = −lr·g/(|g| + eps). Tolerance 1e-6 absolute = lr·1e-4: covers
    // eps/|g| ≤ 1e-5 and the float32 rounding of p (ulp(2) ≈ 2.4e-7).
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(p.w[i] - before[i] + 0.01 * Math.sign(g.w[i])) < 1e-6, `element ${i}: ${p.w[i]}`);
  });

  it('first step with weight decay: p·(1 − lr·wd) − lr·sign(g)', () => {
    const p = { w: Float32Array.from([1, -2]) };
    new AdamW({ lr: 0.1, weightDecay: 0.1 }).step(p, { w: Float32Array.from([0.5, 0.5]) });
    // 1·0.99 − 0.1 = 0.89 and −2·0.99 − 0.1 = −2.08. Tolerance 1e-6 (float32 rounding, eps/|g| = 2e-8).
    assert.ok(Math.abs(p.w[0] - 0.89) < 1e-6, String(p.w[0]));
    assert.ok(Math.abs(p.w[1] + 2.08) < 1e-6, String(p.w[1]));
  });

  it('a zero gradient leaves the parameter unchanged when wd = 0 (exact)', () => {
    const p = { w: Float32Array.from([0.7]) };
    const opt = new AdamW({ lr: 0.1, weightDecay: 0 });
    opt.step(p, { w: Float32Array.from([0]) });
    assert.strictEqual(p.w[0], Math.fround(0.7));
  });

  it('names its slots `${param}/m` and `${param}/v` and counts steps', () => {
    const opt = new AdamW({ lr: 0.1 });
    opt.step({ 'layer.A': new Float32Array(3) }, { 'layer.A': Float32Array.from([1, 2, 3]) });
    assert.strictEqual(opt.stepCount, 1);
    // m = (1 − β1)·g, v = (1 − β2)·g²; tolerance: float32 rounding (relative 1e-7).
    assert.ok(Math.abs(opt.slot('layer.A/m')![2] - 0.3) < 1e-7);
    assert.ok(Math.abs(opt.slot('layer.A/v')![2] - 0.009) < 1e-9);
    assert.deepStrictEqual(Object.keys(opt.exportState().slots).sort(), ['layer.A/m', 'layer.A/v']);
  });

  it('matches a float64 re-implementation over 3 steps with a varying lr', () => {
    const rand = rng(3);
    const shapes: Record<string, number> = { 'q.A': 24, 'q.B': 16 };
    const options = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.05 };
    const params: Record<string, Float32Array> = {};
    const ref: Record<string, Float64Array> = {};
    for (const [name, n] of Object.entries(shapes)) {
      params[name] = Float32Array.from({ length: n }, () => rand() * 2);
      ref[name] = Float64Array.from(params[name]);
    }
    const opt = new AdamW({ lr: 0, ...options });
    const reference = new ReferenceAdamW(options);
    for (const lr of [1e-2, 5e-3, 2e-2]) {
      const grads: Record<string, Float32Array> = {};
      for (const [name, n] of Object.entries(shapes)) grads[name] = Float32Array.from({ length: n }, () => rand());
      opt.step(params, grads, lr);
      reference.step(ref, Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, Float64Array.from(v)])), lr);
    }
    // Tolerance: absolute 1e-6 on parameters of size ≤ 1 (float32 storage of p, m, v over 3 steps, each
    // rounding ≤ 6e-8 relative); absolute 1e-7 on m (|m| < 0.5) and 1e-8 on v (v < 0.25): float32 rounding.
    const worst = { p: 0, m: 0, v: 0 };
    for (const name of Object.keys(shapes)) {
      for (let i = 0; i < shapes[name]; i++) {
        worst.p = Math.max(worst.p, Math.abs(params[name][i] - ref[name][i]));
        worst.m = Math.max(worst.m, Math.abs(opt.slot(`${name}/m`)![i] - reference.m.get(name)![i]));
        worst.v = Math.max(worst.v, Math.abs(opt.slot(`${name}/v`)![i] - reference.v.get(name)![i]));
      }
    }
    assert.ok(worst.p < 1e-6 && worst.m < 1e-7 && worst.v < 1e-8, JSON.stringify(worst));
  });

  it('resumes bit-identically from an exported state written through safetensors', () => {
    const rand = rng(11);
    const gradsAt = Array.from({ length: 5 }, () => ({ a: Float32Array.from({ length: 10 }, rand), b: Float32Array.from({ length: 6 }, rand) }));
    const init = { a: Float32Array.from({ length: 10 }, rand), b: Float32Array.from({ length: 6 }, rand) };
    const options = { lr: 3e-3, weightDecay: 0.01 };

    const straight = copy(init);
    const optStraight = new AdamW(options);
    for (const g of gradsAt) optStraight.step(straight, copy(g));

    const first = copy(init);
    const optFirst = new AdamW(options);
    for (const g of gradsAt.slice(0, 2)) optFirst.step(first, copy(g));
    // The checkpoint: parameters and optimizer state after step 2, serialized.
    const savedParams = copy(first);
    const { tensors, metadata } = adamwStateToSafetensors(optFirst.exportState());
    const stateBytes = Buffer.concat(encodeSafetensors(tensors, metadata));
    optFirst.step(first, copy(gradsAt[2])); // the original keeps going; the checkpoint must not change

    const resumedParams = savedParams;
    const optResumed = new AdamW(options);
    optResumed.importState(adamwStateFromSafetensors(parseSafetensors(stateBytes, 'ckpt.safetensors'), 'ckpt.safetensors'));
    assert.strictEqual(optResumed.stepCount, 2);
    for (const g of gradsAt.slice(2)) optResumed.step(resumedParams, copy(g));
    // Exact: same float32 state and the same arithmetic.
    assert.deepStrictEqual(resumedParams, straight);
    assert.deepStrictEqual(optResumed.exportState(), optStraight.exportState());
  });

  it('exportState is a copy', () => {
    const opt = new AdamW({ lr: 0.1 });
    opt.step({ w: new Float32Array(1) }, { w: Float32Array.from([1]) });
    const state = opt.exportState();
    state.slots['w/m'][0] = 123;
    assert.notStrictEqual(opt.slot('w/m')![0], 123);
  });
  it('lrScales update each element as a parameter group of lr·scale would: the split tensor, each part its own AdamW', () => {
    const rand = rng(5);
    const options = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    // w = [first 6 elements at lr·3 | last 4 at lr]; the oracle trains the two parts as separate optimizers.
    const w = Float32Array.from({ length: 10 }, () => rand());
    const fast = { w: w.slice(0, 6) };
    const slow = { w: w.slice(6) };
    const scale = Float32Array.from({ length: 10 }, (_, i) => (i < 6 ? 3 : 1));
    const opt = new AdamW({ lr: 0, ...options, lrScales: new Map([['w', scale]]) });
    const optFast = new AdamW({ lr: 0, ...options });
    const optSlow = new AdamW({ lr: 0, ...options });
    for (const lr of [1e-2, 4e-3, 2e-2]) {
      const g = Float32Array.from({ length: 10 }, () => rand());
      opt.step({ w }, { w: g }, lr);
      optFast.step(fast, { w: g.slice(0, 6) }, 3 * lr);
      optSlow.step(slow, { w: g.slice(6) }, lr);
    }
    // Tolerance: the same float32 arithmetic up to the order of two products (lr·3 vs 3·lr): 1e-7 absolute.
    const expected = [...fast.w, ...slow.w];
    w.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-7, `element ${i}: ${x} vs ${expected[i]}`));
    // Scale 1 everywhere is the plain optimizer, bit for bit.
    const plain = { w: Float32Array.from([0.3, -0.2]) };
    const scaled = { w: plain.w.slice() };
    const optOnes = new AdamW({ lr: 0.01, lrScales: new Map([['w', new Float32Array([1, 1])]]) });
    new AdamW({ lr: 0.01 }).step(plain, { w: Float32Array.from([0.5, 1]) });
    optOnes.step(scaled, { w: Float32Array.from([0.5, 1]) });
    assert.deepStrictEqual(scaled.w, plain.w);
  });

  describe('errors', () => {
    const throwsAdam = (fn: () => unknown, ...fragments: string[]) =>
      assert.throws(fn, (e: Error) => e instanceof AdamWError && fragments.every((f) => e.message.includes(f)));

    it('missing or mis-sized gradients', () => {
      const opt = new AdamW({ lr: 0.1 });
      throwsAdam(() => opt.step({ w: new Float32Array(2) }, {}), "'w'", 'no gradient');
      throwsAdam(() => opt.step({ w: new Float32Array(2) }, { w: new Float32Array(3) }), "'w'", '3 elements', '2');
    });

    it('the parameter set cannot change after the first step', () => {
      const opt = new AdamW({ lr: 0.1 });
      opt.step({ w: new Float32Array(2) }, { w: new Float32Array(2) });
      throwsAdam(() => opt.step({ w: new Float32Array(2), x: new Float32Array(1) }, { w: new Float32Array(2), x: new Float32Array(1) }), "'x'");
      throwsAdam(() => opt.step({}, {}), "'w'", 'not passed');
    });

    it('inconsistent imported state and bad options', () => {
      const opt = new AdamW({ lr: 0.1 });
      throwsAdam(() => opt.importState({ step: 1, slots: { 'w/m': new Float32Array(2) } }), "'w/m'", "'w/v'");
      throwsAdam(() => opt.importState({ step: 1, slots: { w: new Float32Array(2) } }), "'w'");
      throwsAdam(() => opt.importState({ step: -1, slots: {} }), 'step');
      throwsAdam(() => new AdamW({ lr: 0.1, beta2: 1 }), 'beta2');
      throwsAdam(() => new AdamW({ lr: 0.1, lrScales: new Map([['w', Float32Array.from([1, -1])]]) }), "'w'", '-1', 'element 1');
      throwsAdam(() => new AdamW({ lr: 0.1, lrScales: new Map([['w', new Float32Array(3)]]) }).step({ w: new Float32Array(2) }, { w: new Float32Array(2) }), "lrScales of 'w'", '3 elements');
      throwsAdam(() => adamwStateFromSafetensors({ tensors: new Map() }, 'x.safetensors'), 'x.safetensors', 'adamw.step');
    });
  });
});
