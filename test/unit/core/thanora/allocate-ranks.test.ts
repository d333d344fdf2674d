import * as assert from 'assert';
import { seededRng } from '../../../../src/core/linalg/random';
import { allocateModules, allocateRanks, cooperativeRankFor, largestRemainder, taskShares } from '../../../../src/core/thanora/allocate-ranks';

const sum = (x: number[]) => x.reduce((a, b) => a + b, 0);

describe('thanora/allocateRanks', () => {
  it('Σ_t r_t + r_c = r and every r_t ≥ 1 over random entropies, ranks, task counts and τ', () => {
    const rng = seededRng(21);
    for (let trial = 0; trial < 500; trial++) {
      const tasks = 1 + Math.floor(rng() * 6);
      const rank = tasks + Math.floor(rng() * 64) + Math.floor(tasks / 2) + 1;
      const entropies = Array.from({ length: tasks }, () => rng());
      const temperature = [0.01, 0.05, 0.5, 'uniform' as const][trial % 4];
      const a = allocateRanks(entropies, rank, { temperature });
      assert.strictEqual(sum(a.taskRanks) + a.cooperativeRank, rank, `trial ${trial}`);
      assert.strictEqual(a.cooperativeRank, Math.floor(rank / (tasks + 1)));
      for (const r of a.taskRanks) assert.ok(r >= 1 && Number.isInteger(r));
    }
  });
  it('largest remainder: hand-derived cases', () => {
    assert.deepStrictEqual(largestRemainder([0.5, 0.3, 0.2], 10), [5, 3, 2]);
    // quotas 3.5, 3.5, 3: one unit left, the tie goes to the lower index.
    assert.deepStrictEqual(largestRemainder([0.35, 0.35, 0.3], 10), [4, 3, 3]);
    // quotas 4.9, 0.05, 0.05: floor gives 4, 1, 1 = 6 > 5, so the surplus comes off task 0.
    assert.deepStrictEqual(largestRemainder([0.98, 0.01, 0.01], 5), [3, 1, 1]);
  });
  it('lower τ sharpens the split (the max share and the top task rank never decrease as τ falls)', () => {
    const entropies = [0.62, 0.7, 0.55];
    let lastShare = 0;
    let lastRank = 0;
    for (const tau of [10, 1, 0.3, 0.1, 0.05, 0.01]) {
      const a = allocateRanks(entropies, 32, { temperature: tau });
      assert.ok(Math.max(...a.shares) > lastShare, `τ = ${tau}`);
      assert.ok(a.taskRanks[1] >= lastRank, `τ = ${tau}`);
      lastShare = Math.max(...a.shares);
      lastRank = a.taskRanks[1];
    }
    // At τ = 0.01 the highest-entropy task takes all but the floor of 1 of the others.
    assert.deepStrictEqual(allocateRanks(entropies, 32, { temperature: 0.01 }).taskRanks, [1, 22, 1]);
  });
  // Tolerance: 1e-15 on the shares.
  it("'uniform' gives equal shares whatever the entropies; softmax shares sum to 1", () => {
    for (const p of taskShares([0.1, 0.9, 0.5, 0.2], 'uniform')) assert.ok(Math.abs(p - 0.25) < 1e-15);
    assert.deepStrictEqual(allocateRanks([0.1, 0.9], 12, { temperature: 'uniform' }).taskRanks, [4, 4]);
    assert.ok(Math.abs(sum(taskShares([0.3, 0.8, 0.1], 0.05)) - 1) < 1e-15);
  });
  it('explicit cooperative rank, and named errors when r cannot give every task ≥ 1', () => {
    assert.strictEqual(allocateRanks([0.2, 0.4], 8, { cooperativeRank: 0 }).cooperativeRank, 0);
    assert.strictEqual(sum(allocateRanks([0.2, 0.4], 8, { cooperativeRank: 0 }).taskRanks), 8);
    assert.throws(() => cooperativeRankFor(4, 3, 2), /leaves 2 for 3 tasks/);
    assert.throws(() => cooperativeRankFor(8, 2, -1), /integer ≥ 0/);
    assert.throws(() => taskShares([0.1, 0.2], 0), /temperature/);
  });
  it("'layer' allocation: one split per layer from the mean entropy of its modules", () => {
    const modules = [
      { name: 'l0.q', layer: '0', rank: 12, entropies: [0.9, 0.1] },
      { name: 'l0.v', layer: '0', rank: 12, entropies: [0.1, 0.7] },
      { name: 'l1.q', layer: '1', rank: 12, entropies: [0.2, 0.8] },
    ];
    const byLayer = allocateModules(modules, 'layer', { temperature: 0.05 });
    const layer0 = allocateRanks([0.5, 0.4], 12, { temperature: 0.05 }).taskRanks;
    assert.deepStrictEqual(byLayer.get('l0.q')!.taskRanks, layer0);
    assert.deepStrictEqual(byLayer.get('l0.v')!.taskRanks, layer0);
    const byModule = allocateModules(modules, 'module', { temperature: 0.05 });
    assert.notDeepStrictEqual(byModule.get('l0.q')!.taskRanks, byModule.get('l0.v')!.taskRanks);
    assert.throws(() => allocateModules([{ name: 'x', rank: 4, entropies: [0.1] }], 'layer'), /no layer key/);
  });
});
