import * as assert from 'assert';
import { LrScheduleError, makeLrSchedule } from '../../../../src/core/optim/lr-schedule';

// Tolerance for every value: 1e-15 absolute (float64 evaluation of the same closed forms).
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-15, `${a} vs ${b}`);

describe('learning-rate schedule', () => {
  const base = { peakLr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-5 };

  it('warms up linearly to the peak', () => {
    const lr = makeLrSchedule({ kind: 'cosine', ...base });
    close(lr(0), 0);
    close(lr(1), 1e-4);
    close(lr(5), 5e-4);
    close(lr(10), 1e-3);
  });

  it('cosine: halfway between peak and floor at the middle, the floor at the end and after', () => {
    const lr = makeLrSchedule({ kind: 'cosine', ...base });
    close(lr(60), 1e-5 + (1e-3 - 1e-5) * 0.5);
    // p = 1/4: ½(1 + cos π/4) = 0.8535533905932737.
    close(lr(35), 1e-5 + (1e-3 - 1e-5) * 0.8535533905932737);
    close(lr(110), 1e-5);
    close(lr(500), 1e-5);
    for (let t = 11; t <= 110; t++) assert.ok(lr(t) <= lr(t - 1), `not decreasing at ${t}`);
  });

  it('linear decay and constant', () => {
    const linear = makeLrSchedule({ kind: 'linear', ...base });
    close(linear(35), 1e-5 + (1e-3 - 1e-5) * 0.75);
    close(linear(110), 1e-5);
    const constant = makeLrSchedule({ kind: 'constant', ...base });
    close(constant(5), 5e-4);
    close(constant(100), 1e-3);
  });

  it('without warmup the first step gets the peak', () => {
    const lr = makeLrSchedule({ kind: 'cosine', peakLr: 2e-4, totalSteps: 4 });
    close(lr(0), 2e-4);
    close(lr(2), 1e-4);
    close(lr(4), 0);
  });

  it('rejects inconsistent options', () => {
    const bad = (o: object) => assert.throws(() => makeLrSchedule({ kind: 'cosine', ...base, ...o }), LrScheduleError);
    bad({ warmupSteps: 200 });
    bad({ minLr: 1 });
    bad({ totalSteps: 0 });
    bad({ kind: 'exp' });
    assert.throws(() => makeLrSchedule({ kind: 'cosine', ...base })(-1), LrScheduleError);
  });
});
