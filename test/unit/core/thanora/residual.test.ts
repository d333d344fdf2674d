import * as assert from 'assert';
import { Matrix, matmul, transpose } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { residualWeight, scaledDelta, weightToOutIn } from '../../../../src/core/thanora/residual';

// s·B·A + W' = W, read back in the storage layout: float64 to 1e-10, float32 to 1e-5 (|W| ~ 3, ulp ~ 2e-7).
describe('thanora/residual', () => {
  const rng = seededRng(31);
  const dOut = 7;
  const dIn = 5;
  const w = randomNormalMatrix(dOut, dIn, rng);
  const b = randomNormalMatrix(dOut, 3, rng);
  const a = randomNormalMatrix(3, dIn, rng);
  const s = 2;
  const delta = scaledDelta(b, a, s);

  for (const layout of ['out_in', 'in_out'] as const) {
    for (const [label, make, tol] of [
      ['float64', (m: Matrix) => Float64Array.from(m.data), 1e-10],
      ['float32', (m: Matrix) => Float32Array.from(m.data), 1e-5],
    ] as const) {
      it(`${layout} ${label}: W' keeps layout and type and s·B·A + W' = W`, () => {
        const stored = layout === 'out_in' ? w : transpose(w);
        const values = make(stored);
        const dims = [stored.rows, stored.cols];
        const out = residualWeight(values, dims, layout, b, a, s);
        assert.strictEqual(out.constructor, values.constructor);
        const back = weightToOutIn(out, dims, layout);
        const original = weightToOutIn(values, dims, layout);
        for (let i = 0; i < back.data.length; i++) assert.ok(Math.abs(back.data[i] + delta.data[i] - original.data[i]) < tol);
      });
    }
  }

  it('the in_out layout is the transpose: X·W_stored equals X·Wᵀ', () => {
    const x = randomNormalMatrix(2, dIn, rng);
    const stored = transpose(w);
    const viaStored = matmul(x, stored);
    const viaPeft = matmul(x, transpose(weightToOutIn(Float64Array.from(stored.data), [dIn, dOut], 'in_out')));
    assert.deepStrictEqual(Array.from(viaStored.data), Array.from(viaPeft.data));
  });

  it('names the mismatch when B/A do not fit the weight (wrong layout)', () => {
    assert.throws(() => residualWeight(Float64Array.from(w.data), [dOut, dIn], 'in_out', b, a, s, 'q_proj.weight'), /q_proj\.weight.*layout \('in_out'\)/);
  });
});
