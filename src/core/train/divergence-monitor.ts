// Divergence that a finite loss hides. A cross-entropy over K classes (K = vocabulary for a language model)
// that predicts every class alike costs exactly ln K per token, so a model that had learned something and is
// back at ln K has lost it: with lr 1e3 the demo's loss jumps from 3.8 to ln 259 = 5.5568 in one step and stays
// there, every eval at 0% accuracy, while the run "finishes" (with LoRA's B = 0 start it bounces around ln K
// instead, 4.2 … 6.8). Two rules, each reported once per session:
//   uniform:     the run was clearly better than guessing, best ≤ 0.9·ln K (best = its lowest step or mean eval
//                loss), and the mean task loss of the last W steps has lost 90% of that advantage:
//                mean ≥ ln K − 0.1·(ln K − best). A base that never beat guessing (a new classification head, a
//                random model) does not trigger it.
//   rising-eval: the mean eval loss over tasks rose at each of the last 2 evals (3 evals in a row increasing).
import { RunWarningEvent } from '../../protocol/run-events';

export const DIVERGENCE_WINDOW = 10;
const clearlyBetter = 0.9;
const advantageLost = 0.9;
const risingEvals = 2;

export class DivergenceMonitor {
  private readonly recent: number[] = [];
  private best = Infinity;
  private readonly evals: number[] = [];
  private readonly reported = new Set<RunWarningEvent['rule']>();

  /** `classes`: K, the logits' last dimension. */
  constructor(private readonly classes: number) {}

  get uniformLoss(): number {
    return Math.log(this.classes);
  }

  /** The task loss of one step; a warning when the uniform rule fires. */
  onStep(step: number, taskLoss: number): RunWarningEvent | undefined {
    this.best = Math.min(this.best, taskLoss);
    this.recent.push(taskLoss);
    if (this.recent.length > DIVERGENCE_WINDOW) this.recent.shift();
    if (this.recent.length < DIVERGENCE_WINDOW) return undefined;
    const mean = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    const uniform = this.uniformLoss;
    if (this.best > clearlyBetter * uniform || mean < uniform - (1 - advantageLost) * (uniform - this.best)) return undefined;
    return this.once(
      'uniform',
      step,
      `the mean loss of the last ${DIVERGENCE_WINDOW} steps is ${mean.toFixed(4)}, back at the loss of predicting all ${this.classes} classes alike ` +
        `(ln ${this.classes} = ${uniform.toFixed(4)}) after reaching ${this.best.toFixed(4)}`,
    );
  }

  /** The per-task eval losses at `step`; a warning when the rising-eval rule fires. */
  onEval(step: number, taskLosses: readonly number[]): RunWarningEvent | undefined {
    const finite = taskLosses.filter(Number.isFinite);
    if (finite.length === 0) return undefined;
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    this.best = Math.min(this.best, mean);
    this.evals.push(mean);
    const last = this.evals.slice(-(risingEvals + 1));
    if (last.length <= risingEvals || !last.every((v, i) => i === 0 || v > last[i - 1])) return undefined;
    return this.once('rising-eval', step, `the mean eval loss rose at each of the last ${risingEvals} evals: ${last.map((v) => v.toFixed(4)).join(' → ')}`);
  }

  private once(rule: RunWarningEvent['rule'], step: number, what: string): RunWarningEvent | undefined {
    if (this.reported.has(rule)) return undefined;
    this.reported.add(rule);
    return { type: 'warning', step, rule, message: `training may have diverged at step ${step}: ${what}; lower training.lr or raise warmupSteps` };
  }
}
