import * as assert from 'assert';
import { add, matmul, matmulTransposeA, maxAbsDifference, scale, scaleColumns, transpose } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { svd } from '../../../../src/core/linalg/svd';
import { cordaInit, loraInit, pissaInit, pooledCovariance } from '../../../../src/core/thanora/baselines';
import { hasiModule } from '../../../../src/core/thanora/hasi';
import { scaledDelta } from '../../../../src/core/thanora/residual';

describe('thanora/baselines', () => {
  const rng = seededRng(61);
  const w = randomNormalMatrix(10, 12, rng);
  const covariance = (seed: number) => {
    const x = randomNormalMatrix(30, 12, seededRng(seed));
    return scale(matmulTransposeA(x, x), 1 / 30);
  };

  it('lora: B = 0, A within the Kaiming bound 1/√d_in, base = W', () => {
    const init = loraInit(w, 4, 8, 3);
    assert.ok(init.b.data.every((v) => v === 0));
    assert.ok(init.a.data.every((v) => Math.abs(v) <= 1 / Math.sqrt(12)));
    assert.strictEqual(init.base, w);
  });
  // Tolerance: 1e-10. s·B·A is the best rank-r approximation U_r·Σ_r·V_rᵀ and base + s·B·A = W.
  it('pissa: s·B·A = top-r SVD of W and the residual restores W', () => {
    const init = pissaInit(w, 4, 8);
    const f = svd(w, 4);
    const best = matmul(scaleColumns(f.u, f.s), transpose(f.v));
    assert.ok(maxAbsDifference(scaledDelta(init.b, init.a, init.scaling), best) < 1e-10);
    assert.ok(maxAbsDifference(add(init.base, scaledDelta(init.b, init.a, init.scaling)), w) < 1e-10);
  });
  // Tolerance: 1e-10. CorDA on one task equals the HASI task block of a single task with r_c = 0.
  it('corda: pooled covariance, one block of rank r, residual restores W', async () => {
    const cs = [covariance(62), covariance(63)];
    const pooled = pooledCovariance(cs, [1, 3]);
    assert.ok(maxAbsDifference(pooled, add(scale(cs[0], 0.25), scale(cs[1], 0.75))) < 1e-12);
    const init = await cordaInit(w, cs, 4, 8, { tokenCounts: [1, 3] });
    const hasi = await hasiModule({ name: 'm', weight: w, covariances: [pooled], rank: 4, alpha: 8 }, { cooperativeRank: 0 });
    assert.ok(maxAbsDifference(init.a, hasi.a) < 1e-10 && maxAbsDifference(init.b, hasi.b) < 1e-10);
    assert.ok(maxAbsDifference(add(init.base, scaledDelta(init.b, init.a, init.scaling)), w) < 1e-10);
  });
});
