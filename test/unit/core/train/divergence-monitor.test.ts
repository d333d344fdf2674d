// The divergence rules on loss sequences with known answers: the demo's measured lr 1e3 runs (ThanoRA: one good
// step, then exactly ln 259; LoRA: bouncing around ln 259), a random model that never beat guessing, healthy
// training, and eval losses that rise or only wobble.
import * as assert from 'assert';
import { DivergenceMonitor } from '../../../../src/core/train/divergence-monitor';

const lnK = Math.log(259);

function firstWarning(losses: number[], classes = 259) {
  const m = new DivergenceMonitor(classes);
  for (const [i, loss] of losses.entries()) {
    const w = m.onStep(i + 1, loss);
    if (w) return w;
  }
  return undefined;
}

describe('divergence monitor', () => {
  it('ThanoRA at lr 1e3 (demo, measured): one step at 3.763, then ln 259 — warns once the window holds only those', () => {
    const w = firstWarning([3.763, ...Array(20).fill(5.5568)]);
    assert.deepStrictEqual(w, {
      type: 'warning',
      step: 11,
      rule: 'uniform',
      message:
        'training may have diverged at step 11: the mean loss of the last 10 steps is 5.5568, back at the loss of predicting all 259 classes alike (ln 259 = 5.5568) ' +
        'after reaching 3.7630; lower training.lr or raise warmupSteps',
    });
  });

  it('LoRA at lr 1e3 (demo, measured): the loss bounces around ln 259 and is still caught', () => {
    const measured = [0.792, 5.394, 6.752, 6.083, 4.66, 5.508, 5.389, 5.23, 4.222, 5.119, 4.928, 5.758, 5.201, 4.887, 5.466];
    assert.strictEqual(firstWarning(measured)?.step, 11);
  });

  it('says nothing for a model that never beat guessing, or for healthy training', () => {
    // tiny-llama (random weights, 96 ids): losses around ln 96 = 4.564.
    const random = [4.677, 4.61, 4.55, 4.59, 4.52, 4.56, 4.5, 4.53, 4.49, 4.48, 4.51, 4.47, 4.6, 4.58];
    assert.strictEqual(firstWarning(random, 96), undefined);
    const healthy = Array.from({ length: 200 }, (_, i) => 0.8 + 3 * Math.exp(-i / 30) + 0.2 * Math.sin(i));
    assert.strictEqual(firstWarning([3.9, ...healthy]), undefined);
  });

  it('a loss clearly back near uniform counts once the advantage is 90% gone, not before', () => {
    // best 1.0: the threshold is ln K − 0.1·(ln K − 1.0).
    const threshold = lnK - 0.1 * (lnK - 1);
    assert.strictEqual(firstWarning([1.0, ...Array(10).fill(threshold - 0.01)]), undefined);
    assert.strictEqual(firstWarning([1.0, ...Array(10).fill(threshold + 0.01)])?.step, 11, 'the first window without the 1.0');
  });

  it('eval losses: three evals rising in a row warn once; a wobble does not', () => {
    const m = new DivergenceMonitor(259);
    assert.strictEqual(m.onEval(100, [1.0, 1.2]), undefined);
    assert.strictEqual(m.onEval(200, [1.15, 1.25]), undefined);
    assert.strictEqual(m.onEval(300, [1.1, 1.2]), undefined, 'fell: 1.2 → 1.15');
    assert.strictEqual(m.onEval(400, [1.2, 1.3]), undefined);
    assert.deepStrictEqual(m.onEval(500, [1.3, 1.4]), {
      type: 'warning',
      step: 500,
      rule: 'rising-eval',
      message: 'training may have diverged at step 500: the mean eval loss rose at each of the last 2 evals: 1.1500 → 1.2500 → 1.3500; lower training.lr or raise warmupSteps',
    });
    assert.strictEqual(m.onEval(600, [1.4, 1.5]), undefined, 'each rule is reported once');
  });
});
