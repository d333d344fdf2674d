// training.best: the best checkpoint by an eval metric, early stopping, and merge's choice of checkpoint.
// The real runs use the tiny experiment (test/support/tiny-experiment.ts) at lr 0.3, where the copy task's eval
// loss overshoots after the first step; the expected best step and stop step are computed from an unstopped
// run's own eval record (same seed, so the same evals), not written into the test.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadExperiment } from '../../../../src/core/experiment/load-experiment';
import { mergeCheckpoint } from '../../../../src/core/merge';
import { readRunEvents, readRunStatus } from '../../../../src/core/run-folder';
import { BestTracker, bestMetricValue } from '../../../../src/core/train/best-checkpoint';
import { runTraining } from '../../../../src/core/train/run-training';
import { CheckpointEvent, EndEvent, EvalEvent, StepEvent } from '../../../../src/protocol/run-events';
import { writeTinyExperiment } from '../../../support/tiny-experiment';

const evalAt = (step: number, copy: { accuracy: number; loss: number }, count = { accuracy: 0, loss: 1 }): EvalEvent => ({
  type: 'eval',
  step,
  tasks: [
    { task: 'count', examples: 4, ...count },
    { task: 'copy', examples: 4, ...copy },
  ],
});

describe('best checkpoint (training.best)', function () {
  this.timeout(300000);

  describe('BestTracker', () => {
    it('reads mean and per-task accuracy and loss', () => {
      const e = evalAt(1, { accuracy: 0.5, loss: 2 }, { accuracy: 0.25, loss: 3 });
      assert.deepStrictEqual(
        ['mean-accuracy', 'accuracy:copy', 'mean-loss', 'loss:count'].map((m) => bestMetricValue(m, e.tasks)),
        [0.375, 0.5, 2.5, 3],
      );
      assert.throws(() => bestMetricValue('accuracy:nosuch', e.tasks), /no task "nosuch" \(tasks: count, copy\)/);
    });

    it('skips the eval before training, needs a strict gain (a tie keeps the earlier step), and stops after `patience` evals', () => {
      const tracker = new BestTracker({ metric: 'accuracy:copy', patience: 2 });
      assert.deepStrictEqual(tracker.onEval(evalAt(0, { accuracy: 0.9, loss: 1 })), { improved: false });
      assert.deepStrictEqual(tracker.onEval(evalAt(1, { accuracy: 0.2, loss: 1 })), { improved: true });
      assert.deepStrictEqual(tracker.onEval(evalAt(2, { accuracy: 0.4, loss: 1 })), { improved: true });
      assert.deepStrictEqual(tracker.onEval(evalAt(3, { accuracy: 0.4, loss: 1 })), { improved: false });
      const verdict = tracker.onEval(evalAt(4, { accuracy: 0.1, loss: 1 }));
      assert.strictEqual(verdict.improved, false);
      assert.strictEqual(verdict.earlyStop, 'early stop: accuracy:copy did not improve for 2 evals (best 0.4000 at step 2)');
      assert.deepStrictEqual(tracker.current, { metric: 'accuracy:copy', value: 0.4, step: 2, checkpoint: path.join('checkpoints', 'step-00000002'), evalsSince: 2 });
    });

    it('a loss metric prefers lower values; a record made under another metric is not carried over', () => {
      const restored = { metric: 'mean-accuracy', value: 0.9, step: 3, checkpoint: 'checkpoints/step-00000003', evalsSince: 0 };
      const tracker = new BestTracker({ metric: 'loss:copy', patience: 0 }, restored);
      assert.strictEqual(tracker.current, undefined);
      tracker.onEval(evalAt(4, { accuracy: 0, loss: 2 }));
      assert.deepStrictEqual(tracker.onEval(evalAt(5, { accuracy: 0, loss: 1.5 })), { improved: true });
      assert.deepStrictEqual(tracker.onEval(evalAt(6, { accuracy: 0, loss: 1.7 })), { improved: false });
      assert.strictEqual(tracker.current!.step, 5);
    });
  });

  describe('real runs (tiny-llama, lr 0.3, eval every step)', () => {
    let dir: string;
    const experiment = (name: string, best: object) =>
      writeTinyExperiment(path.join(dir, name), { training: { steps: 6, lr: 0.3, evalEvery: 1, checkpointEvery: 0, best } });
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-best-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('an unknown task in best.metric is refused before any run, naming the field and the value', () => {
      assert.throws(() => loadExperiment(experiment('bad', { metric: 'accuracy:nosuch' })), (e: Error) => {
        assert.match(e.message, /\/training\/best\/metric/);
        assert.match(e.message, /best\.metric "accuracy:nosuch" names no task; use "mean-accuracy", "mean-loss" or one of "accuracy:count", "accuracy:copy"/);
        return true;
      });
    });

    it('keeps the best checkpoint, stops early after `patience` evals, merges the best unless told otherwise, and resumes with the same best', async () => {
      const metric = 'loss:copy';
      const full = await runTraining(experiment('full', { metric }));
      assert.strictEqual(full.state, 'finished', full.error);
      const fullEvents = readRunEvents(full.runDir);
      const evals = fullEvents.filter((e): e is EvalEvent => e.type === 'eval' && e.step > 0);
      // The oracle: the first step with the lowest copy loss; the steps that set a new minimum get checkpoints.
      const losses = evals.map((e) => bestMetricValue(metric, e.tasks));
      const bestIndex = losses.indexOf(Math.min(...losses));
      const records = evals.filter((_, i) => losses.slice(0, i).every((l) => losses[i] < l)).map((e) => e.step);
      const statusFull = readRunStatus(full.runDir)!;
      assert.strictEqual(statusFull.best?.step, evals[bestIndex].step);
      assert.strictEqual(statusFull.best?.value, losses[bestIndex]);
      const bestMarked = fullEvents.filter((e): e is CheckpointEvent => e.type === 'checkpoint' && e.best === true).map((e) => e.step);
      assert.deepStrictEqual(bestMarked, records);

      // Patience 2 stops at the second eval after the last new best, given the same evals.
      const patience = 2;
      const stopIndex = losses.findIndex((_, i) => i - losses.slice(0, i + 1).indexOf(Math.min(...losses.slice(0, i + 1))) >= patience);
      assert.ok(stopIndex >= 0 && stopIndex < losses.length - 1, `precondition: the copy loss must stall for ${patience} evals before the last step (losses ${losses.join(', ')})`);
      const stopStep = evals[stopIndex].step;
      const early = await runTraining(experiment('early', { metric, patience }));
      assert.strictEqual(early.state, 'finished', early.error);
      const earlyEvents = readRunEvents(early.runDir);
      assert.strictEqual(earlyEvents.filter((e) => e.type === 'step').length, stopStep);
      const end = earlyEvents.find((e): e is EndEvent => e.type === 'end')!;
      const bestStep = readRunStatus(early.runDir)!.best!.step;
      assert.match(end.earlyStop ?? '', new RegExp(`^early stop: loss:copy did not improve for 2 evals \\(best [0-9.]+ at step ${bestStep}\\)$`));
      assert.ok(bestStep < stopStep);

      const best = await mergeCheckpoint(early.runDir, { verify: false });
      assert.strictEqual(best.report.source.step, bestStep);
      assert.match(best.report.source.selection!, new RegExp(`^best by loss:copy \\([0-9.]+ at step ${bestStep}\\)$`));
      const last = await mergeCheckpoint(early.runDir, { verify: false, checkpoint: 'last', outDir: path.join(dir, 'merged-last') });
      assert.deepStrictEqual([last.report.source.step, last.report.source.selection], [stopStep, 'last']);
      await assert.rejects(mergeCheckpoint(early.runDir, { checkpoint: 'step-5', outDir: path.join(dir, 'merged-5') }), /has no checkpoint checkpoints\/step-00000005; its checkpoints: step-/);

      // Resumed from the first checkpoint, the run replays the same evals to the same best and the same stop.
      const before = readRunStatus(early.runDir)!.best;
      const resumed = await runTraining('', { resumeFrom: path.join(early.runDir, 'checkpoints', 'step-00000001') });
      assert.strictEqual(resumed.state, 'finished', resumed.error);
      assert.deepStrictEqual(readRunStatus(early.runDir)!.best, before);
      const replay = readRunEvents(early.runDir).filter((e): e is StepEvent => e.type === 'step').slice(stopStep);
      assert.deepStrictEqual(replay.map((s) => s.step), Array.from({ length: stopStep - 1 }, (_, i) => i + 2));
    });
  });
});
