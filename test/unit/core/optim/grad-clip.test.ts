import * as assert from 'assert';
import { clipGradNorm, globalGradNorm } from '../../../../src/core/optim/grad-clip';

describe('global-norm gradient clipping', () => {
  it('computes the norm over all gradients together (3-4-5)', () => {
    // Exact: 9 + 16 = 25 in float64.
    assert.strictEqual(globalGradNorm({ a: Float32Array.from([3]), b: Float32Array.from([0, 4]) }), 5);
    assert.strictEqual(globalGradNorm(new Map([['a', Float32Array.from([-3, 4])]])), 5);
  });

  it('scales by maxNorm / (norm + 1e-6) when the norm is above maxNorm, and returns the norm before clipping', () => {
    const grads = { a: Float32Array.from([3]), b: Float32Array.from([0, 4]) };
    assert.strictEqual(clipGradNorm(grads, 1), 5);
    // Tolerance 1e-7: float32 rounding of the scaled values.
    assert.ok(Math.abs(grads.a[0] - 3 / (5 + 1e-6)) < 1e-7);
    assert.ok(Math.abs(grads.b[1] - 4 / (5 + 1e-6)) < 1e-7);
    assert.ok(Math.abs(globalGradNorm(grads) - 1) < 1e-6);
  });

  it('leaves gradients untouched when the norm is within maxNorm (exact)', () => {
    const grads = { a: Float32Array.from([0.3, -0.4]) };
    const before = grads.a.slice();
    clipGradNorm(grads, 1);
    assert.deepStrictEqual(grads.a, before);
  });

  it('returns a non-finite norm without touching the gradients', () => {
    const grads = { a: Float32Array.from([NaN, 1]), b: Float32Array.from([2]) };
    assert.ok(Number.isNaN(clipGradNorm(grads, 1)));
    assert.deepStrictEqual(Array.from(grads.b), [2]);
    assert.strictEqual(clipGradNorm({ a: Float32Array.from([Infinity]) }, 1), Infinity);
  });

  it('rejects a non-positive maxNorm', () => {
    assert.throws(() => clipGradNorm({}, 0), /maxNorm/);
  });
});
