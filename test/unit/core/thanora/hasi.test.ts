import * as assert from 'assert';
import { Matrix, add, matmul, matmulTransposeA, matmulTransposeB, frobeniusNorm, maxAbsDifference, scale, sliceCols, sliceRows, zeros } from '../../../../src/core/linalg/matrix';
import { randomNormalMatrix, seededRng } from '../../../../src/core/linalg/random';
import { HasiModuleInput, hasiModule, hasiModules } from '../../../../src/core/thanora/hasi';
import { scaledDelta } from '../../../../src/core/thanora/residual';

// C = XᵀX/n for n tokens drawn from a `directions`-dimensional subspace of R^dIn (random basis and scales).
function plantedCovariance(dIn: number, directions: number, tokens: number, seed: number): Matrix {
  const rng = seededRng(seed);
  const x = matmul(randomNormalMatrix(tokens, directions, rng), randomNormalMatrix(directions, dIn, rng));
  return scale(matmulTransposeA(x, x), 1 / tokens);
}

const sum = (x: number[]) => x.reduce((a, b) => a + b, 0);

describe('thanora/hasi', () => {
  const dIn = 96;
  const dOut = 64;
  const weight = randomNormalMatrix(dOut, dIn, seededRng(100));
  const narrow = plantedCovariance(dIn, 4, 200, 101);
  const wide = plantedCovariance(dIn, 64, 200, 102);
  const module: HasiModuleInput = { name: 'layers.0.q_proj', layer: '0', weight, covariances: [narrow, wide], rank: 16, alpha: 32 };

  it('planted ranks: the task whose inputs span 64 directions gets more rank than the 4-direction task', async () => {
    for (const [covariances, n, w] of [[[narrow, wide], 0, 1], [[wide, narrow], 1, 0]] as const) {
      const r = await hasiModule({ ...module, covariances: [...covariances] });
      assert.ok(r.entropies[w] > r.entropies[n], `entropies ${r.entropies}`);
      assert.ok(r.allocation.taskRanks[w] > r.allocation.taskRanks[n], `ranks ${r.allocation.taskRanks}`);
      assert.strictEqual(sum(r.allocation.taskRanks) + r.allocation.cooperativeRank, 16);
    }
  });

  it('B·A = Σ blocks, B_c = 0, and s·B·A + W\' = W (tolerance 1e-10, float64)', async () => {
    const r = await hasiModule(module);
    const total = r.blocks.blocks.reduce(
      (acc, blk) => add(acc, matmul(sliceCols(r.b, blk.offset, blk.offset + blk.rank), sliceRows(r.a, blk.offset, blk.offset + blk.rank))),
      zeros(dOut, dIn),
    );
    assert.ok(maxAbsDifference(matmul(r.b, r.a), total) < 1e-10);
    const coop = r.blocks.blocks.find((b) => b.kind === 'cooperative')!;
    assert.strictEqual(coop.rank, Math.floor(16 / 3));
    for (const v of sliceCols(r.b, coop.offset, coop.offset + coop.rank).data) assert.strictEqual(v, 0);
    // A_c ~ U(−1/√d_in, 1/√d_in) and not all zero.
    const ac = sliceRows(r.a, coop.offset, coop.offset + coop.rank).data;
    assert.ok(ac.every((v) => Math.abs(v) <= 1 / Math.sqrt(dIn)) && ac.some((v) => v !== 0));
    assert.ok(maxAbsDifference(add(r.residual, scaledDelta(r.b, r.a, r.scaling)), weight) < 1e-10);
  });

  it('step-0 output is unchanged: X·W\'ᵀ + s·X·Aᵀ·Bᵀ = X·Wᵀ (tolerance 1e-9 on outputs of size ~10)', async () => {
    const r = await hasiModule(module);
    const x = randomNormalMatrix(5, dIn, seededRng(103));
    const adapted = add(matmulTransposeB(x, r.residual), scale(matmulTransposeB(matmulTransposeB(x, r.a), r.b), r.scaling));
    assert.ok(maxAbsDifference(adapted, matmulTransposeB(x, weight)) < 1e-9);
  });

  it('full-rank single task recovers γ·W: s·B·A = γ·U·Σ·Ṽᵀ = γ·W (tolerance 1e-8 relative to ‖W‖)', async () => {
    const small = randomNormalMatrix(6, 8, seededRng(104));
    const c = plantedCovariance(8, 8, 50, 105);
    const r = await hasiModule({ name: 'm', weight: small, covariances: [c], rank: 6, alpha: 12 }, { cooperativeRank: 0, gamma: 0.5 });
    assert.deepStrictEqual(r.allocation.taskRanks, [6]);
    assert.ok(maxAbsDifference(scaledDelta(r.b, r.a, r.scaling), scale(small, 0.5)) < 1e-8 * 10);
  });

  it('a singular covariance is damped (ε reported) and a lower τ does not shrink the larger share', async () => {
    const r = await hasiModule(module);
    for (const eps of r.dampingEpsilons) assert.ok(eps >= 1e-4);
    const sharp = await hasiModule(module, { temperature: 0.01 });
    const soft = await hasiModule(module, { temperature: 5 });
    assert.ok(sharp.allocation.taskRanks[1] >= soft.allocation.taskRanks[1]);
    assert.ok(Math.max(...sharp.allocation.shares) > Math.max(...soft.allocation.shares));
  });

  // Tolerance: 1e-8 on the entropies and on s·B·A relative to ‖W‖ (σ² loses no precision that matters here).
  it('the Gram-matrix spectrum of large modules gives the allocation and blocks of the exact SVD', async () => {
    const exact = await hasiModule(module, { exactSvdMaxDim: 512 });
    const gram = await hasiModule(module, { exactSvdMaxDim: 0 });
    for (let t = 0; t < 2; t++) assert.ok(Math.abs(exact.entropies[t] - gram.entropies[t]) < 1e-8, `task ${t}`);
    assert.deepStrictEqual(gram.allocation.taskRanks, exact.allocation.taskRanks);
    const norm = frobeniusNorm(weight);
    assert.ok(maxAbsDifference(scaledDelta(gram.b, gram.a, gram.scaling), scaledDelta(exact.b, exact.a, exact.scaling)) < 1e-8 * norm);
    assert.ok(maxAbsDifference(add(gram.residual, scaledDelta(gram.b, gram.a, gram.scaling)), weight) < 1e-10);
  });

  it("'layer' allocation gives a layer's modules one split; wrong covariance counts are named errors", async () => {
    const other: HasiModuleInput = { ...module, name: 'layers.0.v_proj', covariances: [wide, narrow] };
    const [q, v] = await hasiModules([module, other], { allocation: 'layer' });
    assert.deepStrictEqual(q.allocation.taskRanks, v.allocation.taskRanks);
    await assert.rejects(hasiModules([module, { ...other, covariances: [wide] }]), /1 task covariances, expected 2/);
    await assert.rejects(hasiModule({ ...module, covariances: [zeros(5, 5), zeros(5, 5)] }), /d_in = 96/);
  });

  it('the cooperative block is reproducible from (seed, module name)', async () => {
    const a1 = (await hasiModule(module, { seed: 3 })).a;
    const a2 = (await hasiModule(module, { seed: 3 })).a;
    const a3 = (await hasiModule(module, { seed: 4 })).a;
    assert.strictEqual(maxAbsDifference(a1, a2), 0);
    assert.ok(maxAbsDifference(a1, a3) > 0);
  });
});
