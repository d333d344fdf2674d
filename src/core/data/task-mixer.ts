// Which examples go into each training batch. Every row of a batch first draws a task, then takes that task's
// next example in a shuffled order that is reshuffled each time the task's data runs out (its own epoch).
//   proportional  P(t) ∝ weight_t · n_t   (n_t = train examples: big tasks are seen more, like concatenation)
//   balanced      P(t) ∝ weight_t         (every task equally often by default; small tasks repeat sooner)
// Randomness is split into named streams derived from the seed: one for the task draws, one per (task, epoch)
// for the order. The state is therefore small (the draw stream plus each task's epoch and cursor) and a resumed
// run rebuilds the current orders from the seed instead of storing them.
import { Batch, collateBatch, CollateOptions } from './collate';
import type { TokenizedExample } from './example-formats';
import { Rng, RngState } from './rng';

export type MixingMode = 'proportional' | 'balanced';

export interface TaskMixerOptions {
  /** Train examples per task (each ≥ 1). */
  taskSizes: readonly number[];
  /** Per-task weights (each > 0); default all 1. */
  weights?: readonly number[];
  mode: MixingMode;
  seed: number;
}

export interface TaskMixerState {
  draws: RngState;
  /** Per task: epochs completed over its data and the position in the current order. */
  streams: { epoch: number; cursor: number }[];
}

export interface DrawnExample {
  task: number;
  /** Index into the task's train examples. */
  index: number;
}

export function mixingProbabilities(taskSizes: readonly number[], weights: readonly number[], mode: MixingMode): number[] {
  const mass = taskSizes.map((n, t) => (mode === 'proportional' ? weights[t] * n : weights[t]));
  const total = mass.reduce((a, b) => a + b, 0);
  return mass.map((m) => m / total);
}

/** Optimizer steps for `epochs` passes over all train examples at `batchSize` rows per step (at least 1). */
export function stepsForEpochs(epochs: number, totalTrainExamples: number, batchSize: number): number {
  return Math.max(1, Math.ceil((epochs * totalTrainExamples) / batchSize));
}

export class TaskMixer {
  readonly probabilities: readonly number[];
  private draws: Rng;
  private readonly streams: { epoch: number; cursor: number; order: Int32Array }[];

  constructor(private readonly options: TaskMixerOptions) {
    const { taskSizes } = options;
    const weights = options.weights ?? taskSizes.map(() => 1);
    if (taskSizes.length === 0) throw new Error('TaskMixer: no tasks');
    if (weights.length !== taskSizes.length) throw new Error(`TaskMixer: ${weights.length} weights for ${taskSizes.length} tasks`);
    taskSizes.forEach((n, t) => {
      if (!Number.isInteger(n) || n < 1) throw new Error(`TaskMixer: task ${t} has ${n} train examples; every task needs at least one`);
      if (!(weights[t] > 0)) throw new Error(`TaskMixer: task ${t} has weight ${weights[t]}; weights must be > 0`);
    });
    this.probabilities = mixingProbabilities(taskSizes, weights, options.mode);
    this.draws = Rng.derive(options.seed, 'mix');
    this.streams = taskSizes.map((_, t) => ({ epoch: 0, cursor: 0, order: this.orderFor(t, 0) }));
  }

  private orderFor(task: number, epoch: number): Int32Array {
    return Rng.derive(this.options.seed, 'order', task, epoch).permutation(this.options.taskSizes[task]);
  }

  /** The next `batchSize` (task, example index) pairs. */
  next(batchSize: number): DrawnExample[] {
    const drawn: DrawnExample[] = [];
    for (let row = 0; row < batchSize; row++) {
      const task = this.draws.pickWeighted(this.probabilities);
      const stream = this.streams[task];
      if (stream.cursor === stream.order.length) {
        stream.epoch++;
        stream.cursor = 0;
        stream.order = this.orderFor(task, stream.epoch);
      }
      drawn.push({ task, index: stream.order[stream.cursor++] });
    }
    return drawn;
  }

  /** Draws and collates one training batch from the tasks' train examples. */
  nextBatch(trainSets: readonly (readonly TokenizedExample[])[], batchSize: number, collate: CollateOptions): Batch {
    return collateBatch(
      this.next(batchSize).map(({ task, index }) => ({ example: trainSets[task][index], task })),
      collate,
    );
  }

  getState(): TaskMixerState {
    return { draws: this.draws.getState(), streams: this.streams.map(({ epoch, cursor }) => ({ epoch, cursor })) };
  }

  /** Continues exactly where a mixer with the same options was when `state` was taken. */
  setState(state: TaskMixerState): void {
    if (state.streams?.length !== this.streams.length) {
      throw new Error(`TaskMixer state holds ${state.streams?.length} tasks but this run has ${this.streams.length}; resume with the same tasks`);
    }
    state.streams.forEach(({ epoch, cursor }, t) => {
      const size = this.options.taskSizes[t];
      if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(cursor) || cursor < 0 || cursor > size) {
        throw new Error(`TaskMixer state for task ${t} (epoch ${epoch}, cursor ${cursor}) does not fit its ${size} train examples; the data changed since the checkpoint`);
      }
    });
    this.draws = Rng.fromState(state.draws);
    state.streams.forEach(({ epoch, cursor }, t) => {
      this.streams[t] = { epoch, cursor, order: this.orderFor(t, epoch) };
    });
  }
}
