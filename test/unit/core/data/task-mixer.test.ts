import * as assert from 'assert';
import { TokenizedExample } from '../../../../src/core/data/example-formats';
import { mixingProbabilities, stepsForEpochs, TaskMixer } from '../../../../src/core/data/task-mixer';

describe('TaskMixer', () => {
  it('proportional: P ∝ weight × size; balanced: P ∝ weight (hand-derived)', () => {
    // sizes 10, 30; weights 1, 2: proportional 10:60 → 1/7, 6/7; balanced 1:2 → 1/3, 2/3. Tolerance 1e-12.
    const close = (a: number[], b: number[]) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-12, `${a} vs ${b}`));
    close(mixingProbabilities([10, 30], [1, 2], 'proportional'), [1 / 7, 6 / 7]);
    close(mixingProbabilities([10, 30], [1, 2], 'balanced'), [1 / 3, 2 / 3]);
  });

  it('draws tasks with those frequencies', () => {
    // Tolerance: 20000 draws at p = 0.25, standard error 0.003; bound 0.015.
    const mixer = new TaskMixer({ taskSizes: [5, 15], mode: 'proportional', seed: 1 });
    const drawn = mixer.next(20000);
    const share = drawn.filter((d) => d.task === 0).length / drawn.length;
    assert.ok(Math.abs(share - 0.25) < 0.015, `share ${share}`);
  });

  it('visits every example of a task once per epoch, in a new order each epoch', () => {
    const mixer = new TaskMixer({ taskSizes: [7], mode: 'balanced', seed: 3 });
    const first = mixer.next(7).map((d) => d.index);
    const second = mixer.next(7).map((d) => d.index);
    const all = Array.from({ length: 7 }, (_, i) => i);
    assert.deepStrictEqual([...first].sort(), all);
    assert.deepStrictEqual([...second].sort(), all);
    assert.notDeepStrictEqual(first, second);
  });

  it('replays from the seed, differs across seeds', () => {
    const run = (seed: number) => new TaskMixer({ taskSizes: [4, 6, 3], weights: [1, 1, 2], mode: 'balanced', seed }).next(40);
    assert.deepStrictEqual(run(5), run(5));
    assert.notDeepStrictEqual(run(5), run(6));
  });

  it('resumes exactly from a saved state (mid-epoch, through JSON)', () => {
    const options = { taskSizes: [4, 6, 3], mode: 'proportional' as const, seed: 9 };
    const original = new TaskMixer(options);
    original.next(11);
    const state = JSON.parse(JSON.stringify(original.getState()));
    const expected = original.next(30);
    const resumed = new TaskMixer(options);
    resumed.setState(state);
    assert.deepStrictEqual(resumed.next(30), expected);
  });

  it('refuses a state from different data', () => {
    const mixer = new TaskMixer({ taskSizes: [4, 6], mode: 'balanced', seed: 1 });
    const state = mixer.getState();
    assert.throws(() => new TaskMixer({ taskSizes: [4], mode: 'balanced', seed: 1 }).setState(state), /holds 2 tasks but this run has 1/);
    assert.throws(() => new TaskMixer({ taskSizes: [4, 6], mode: 'balanced', seed: 1 }).setState({ ...state, streams: [{ epoch: 0, cursor: 9 }, { epoch: 0, cursor: 0 }] }), /does not fit its 4 train examples/);
  });

  it('nextBatch collates the drawn examples with their task index', () => {
    const sets: TokenizedExample[][] = [0, 1].map((t) => [0, 1, 2].map((i) => ({ kind: 'causal_lm', inputIds: Int32Array.of(10 * t + i), labels: Int32Array.of(10 * t + i), line: i + 1 })));
    const batch = new TaskMixer({ taskSizes: [3, 3], mode: 'balanced', seed: 2 }).nextBatch(sets, 4, { padding: 'longest', seqLength: 4, padId: 0 });
    assert.strictEqual(batch.batchSize, 4);
    for (let row = 0; row < 4; row++) assert.strictEqual(Math.floor(batch.inputIds[row] / 10), batch.taskIndex[row]);
  });

  it('validates its options and converts epochs to steps', () => {
    assert.throws(() => new TaskMixer({ taskSizes: [3, 0], mode: 'balanced', seed: 1 }), /task 1 has 0 train examples/);
    assert.throws(() => new TaskMixer({ taskSizes: [3], weights: [0], mode: 'balanced', seed: 1 }), /weights must be > 0/);
    assert.strictEqual(stepsForEpochs(2, 10, 4), 5); // ⌈2·10/4⌉
    assert.strictEqual(stepsForEpochs(0.01, 10, 4), 1);
  });
});
