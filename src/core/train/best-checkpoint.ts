// training.best: which eval is the run's best so far, and when patience runs out. The eval before training
// (step 0) is the reference, not a candidate. A new best needs a strictly higher metric, so a tie keeps the
// earlier (shorter-trained) step. The record travels in each checkpoint's trainer state, so a run resumed from
// any checkpoint continues with the best as it was at that step and replays the same decisions.
import { BestSetting } from '../experiment/experiment-config';
import { BestRecord, EvalEvent, RUN_FILES } from '../../protocol/run-events';
import { checkpointName } from '../run-folder';
import * as path from 'path';

/** "mean-accuracy" | "mean-loss" | "accuracy:<task>" | "loss:<task>" (the schema's pattern). */
function parseMetric(metric: string): { quantity: 'accuracy' | 'loss'; task?: string } {
  const mean = /^mean-(accuracy|loss)$/.exec(metric);
  if (mean) return { quantity: mean[1] as 'accuracy' | 'loss' };
  const one = /^(accuracy|loss):(.+)$/.exec(metric);
  if (!one) throw new Error(`training.best.metric "${metric}" is not mean-accuracy, mean-loss, accuracy:<task> or loss:<task>`);
  return { quantity: one[1] as 'accuracy' | 'loss', task: one[2] };
}

/** The metric's value on one eval: the mean over the tasks of their accuracy or loss, or one task's. */
export function bestMetricValue(metric: string, tasks: EvalEvent['tasks']): number {
  const { quantity, task } = parseMetric(metric);
  const of = (t: EvalEvent['tasks'][number]) => (quantity === 'loss' ? t.loss : t.accuracy);
  if (task === undefined) return tasks.reduce((s, t) => s + of(t), 0) / tasks.length;
  const found = tasks.find((t) => t.task === task);
  if (!found) throw new Error(`training.best.metric "${metric}": the eval has no task "${task}" (tasks: ${tasks.map((t) => t.task).join(', ')})`);
  return of(found);
}

/** Strictly better: a higher accuracy, a lower loss. */
function beats(metric: string, value: number, best: number): boolean {
  return parseMetric(metric).quantity === 'loss' ? value < best : value > best;
}

export interface BestVerdict {
  /** This eval is the new best: its step gets a checkpoint. */
  improved: boolean;
  /** Patience ran out: the message for the run's end. */
  earlyStop?: string;
}

export class BestTracker {
  private record?: BestRecord;

  constructor(
    private readonly setting: BestSetting,
    restored?: BestRecord,
  ) {
    // A record made under another metric (the experiment was edited before resuming) does not compare.
    this.record = restored?.metric === setting.metric ? restored : undefined;
  }

  get current(): BestRecord | undefined {
    return this.record;
  }

  onEval(event: EvalEvent): BestVerdict {
    if (event.step === 0) return { improved: false };
    const value = bestMetricValue(this.setting.metric, event.tasks);
    if (!this.record || beats(this.setting.metric, value, this.record.value)) {
      const checkpoint = path.join(RUN_FILES.checkpoints, checkpointName(event.step));
      this.record = { metric: this.setting.metric, value, step: event.step, checkpoint, evalsSince: 0 };
      return { improved: true };
    }
    this.record = { ...this.record, evalsSince: this.record.evalsSince + 1 };
    const { patience } = this.setting;
    if (patience > 0 && this.record.evalsSince >= patience) {
      const best = this.record;
      return { improved: false, earlyStop: `early stop: ${best.metric} did not improve for ${best.evalsSince} evals (best ${best.value.toFixed(4)} at step ${best.step})` };
    }
    return { improved: false };
  }
}
