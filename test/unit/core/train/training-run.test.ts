// A real training run on a tiny model (test/fixtures/tiny-llama, pre-tokenized data): the run folder's
// record, exact resumption, cooperative stop, and a failure that keeps the last checkpoint.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PhaseEvent, RunEvent, RunStatus, StepEvent } from '../../../../src/protocol/run-events';
import { runTraining } from '../../../../src/core/train/run-training';
import { readRunEvents } from '../../../../src/core/run-folder';
import { mergeCheckpoint } from '../../../../src/core/merge';
import { writeTinyExperiment } from '../../../support/tiny-experiment';

function writeExperiment(dir: string, training: Record<string, unknown> = {}, method: Record<string, unknown> = {}): string {
  return writeTinyExperiment(dir, { training: { steps: 6, ...training }, method });
}

const steps = (events: RunEvent[]) => events.filter((e): e is StepEvent => e.type === 'step');

describe('training run (tiny-llama, pre-tokenized tasks)', function () {
  this.timeout(120000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-run-'))));

  it('records start, allocation, steps, angles, eval, checkpoints and the end; status finished', async () => {
    const result = await runTraining(writeExperiment(dir));
    assert.strictEqual(result.state, 'finished', result.error);
    const events = readRunEvents(result.runDir);
    const types = new Set(events.map((e) => e.type));
    for (const t of ['start', 'allocation', 'step', 'angles', 'eval', 'checkpoint', 'end']) assert.ok(types.has(t as RunEvent['type']), `no '${t}' event`);
    assert.strictEqual(steps(events).length, 6);
    const first = steps(events)[0];
    assert.ok(first.sprLoss !== null && first.sprLoss >= 0, 'SPR is in the step output');
    assert.strictEqual(first.perTaskLoss.length, 2);
    const status = JSON.parse(fs.readFileSync(path.join(result.runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.strictEqual(status.state, 'finished');
    assert.strictEqual(status.lastCheckpoint, path.join('checkpoints', 'step-00000006'));
    const allocation = events.find((e) => e.type === 'allocation');
    assert.ok(allocation && allocation.type === 'allocation');
    for (const m of allocation.modules) assert.strictEqual(m.ranks.reduce((a, b) => a + b, 0) + m.cooperativeRank, 6);
  });

  it('device auto: a CPU fallback is noted once per run, however many sessions open, and its reason is recorded', async () => {
    const notices: string[] = [];
    const result = await runTraining(writeExperiment(dir, { steps: 2, evalEvery: 1 }), { device: 'auto', onNotice: (line) => notices.push(line) });
    assert.strictEqual(result.state, 'finished', result.error);
    const start = readRunEvents(result.runDir).find((e) => e.type === 'start')!;
    assert.ok(start.type === 'start');
    // The preview, training and eval sessions each fall back; one line says so (none on a machine with CUDA).
    assert.strictEqual(notices.length, start.provider === 'cpu' ? 1 : 0, notices.join('\n'));
    if (start.provider === 'cpu') {
      assert.match(notices[0], /^running on CPU: .*README › GPU/);
      assert.ok(start.fallbackReason && !/npm/.test(start.fallbackReason), `the recorded reason carries no shell advice: ${start.fallbackReason}`);
    }
  });

  it('records the preparation as phase events in order, each ending complete, before the first step', async () => {
    const result = await runTraining(writeExperiment(dir, { evalEvery: 3 }));
    assert.strictEqual(result.state, 'finished', result.error);
    const events = readRunEvents(result.runDir);
    const firstStep = events.findIndex((e) => e.type === 'step');
    const phases = events.filter((e): e is PhaseEvent => e.type === 'phase');
    assert.ok(phases.every((p) => events.indexOf(p) < firstStep), 'no phase after the first step');
    const order = [...new Set(phases.map((p) => p.phase))];
    assert.deepStrictEqual(order, ['data', 'preview', 'init', 'graph', 'sessions', 'eval', 'first-step']);
    for (const name of ['data', 'preview', 'init'] as const) {
      const of = phases.filter((p) => p.phase === name);
      const last = of[of.length - 1];
      assert.strictEqual(last.done, last.total, `${name} ends with all its parts done`);
      assert.ok(of.every((p, i) => i === 0 || p.done >= of[i - 1].done), `${name} counts up`);
    }
    // The sessions open before the start event (it names their provider); eval and the first step come after it.
    const start = events.findIndex((e) => e.type === 'start');
    assert.ok(events.findIndex((e) => e.type === 'phase' && e.phase === 'sessions') < start);
    assert.ok(events.findIndex((e) => e.type === 'phase' && e.phase === 'eval') > start);
  });

  it('the data check is heard before the run folder exists and recorded in it once made; bad data makes no folder', async () => {
    const heard: { phase: PhaseEvent; runDir: string; folderExists: boolean }[] = [];
    const output = path.join(dir, 'runs');
    const file = writeExperiment(dir);
    const result = await runTraining(file, {}, (e, runDir) => {
      if (e.type === 'phase' && e.phase === 'data') heard.push({ phase: e, runDir, folderExists: fs.existsSync(output) && fs.readdirSync(output).length > 0 });
    });
    assert.strictEqual(result.state, 'finished', result.error);
    // Two tasks: 0 of 2 before the first is read, 2 of 2 at the end (1 of 2 may be throttled away).
    assert.deepStrictEqual([heard[0].phase.done, heard[heard.length - 1].phase.done], [0, 2]);
    assert.ok(heard.every((h) => h.runDir === '' && !h.folderExists && h.phase.total === 2), JSON.stringify(heard));
    const recorded = readRunEvents(result.runDir).filter((e) => e.type === 'phase' && e.phase === 'data');
    assert.deepStrictEqual(recorded, heard.map((h) => h.phase), 'the folder holds the same events, with the times they happened');
    // A task file that does not parse: the check runs, then fails, and no run folder is made.
    fs.rmSync(output, { recursive: true, force: true });
    fs.writeFileSync(path.join(dir, 'data/copy.jsonl'), '{"input_ids": [1, 2\n');
    const seen: PhaseEvent[] = [];
    const bad = await runTraining(file, {}, (e) => e.type === 'phase' && seen.push(e));
    assert.strictEqual(bad.state, 'failed');
    assert.match(bad.error ?? '', /copy\.jsonl:1/);
    // Every task is checked (all problems are reported at once), and nothing past the check begins.
    assert.deepStrictEqual([seen[0].done, seen[seen.length - 1].done], [0, 2]);
    assert.ok(seen.every((e) => e.phase === 'data'), JSON.stringify(seen));
    assert.ok(!fs.existsSync(output) || fs.readdirSync(output).length === 0, 'no run folder for bad data');
  });

  it('the trained run merges into one model that matches base + adapter (merge report passes)', async () => {
    const result = await runTraining(writeExperiment(dir));
    assert.strictEqual(result.state, 'finished', result.error);
    const merged = await mergeCheckpoint(result.runDir);
    assert.strictEqual(merged.report.pass, true, JSON.stringify(merged.report.verification));
    assert.ok(fs.existsSync(path.join(merged.outDir, 'model.onnx')));
    assert.ok(fs.existsSync(path.join(merged.outDir, 'adapter_model.safetensors')));
  });

  it('is deterministic given the seed: two fresh runs take exactly the same steps', async () => {
    const a = await runTraining(writeExperiment(dir, { steps: 3, checkpointEvery: 0 }));
    const b = await runTraining(writeExperiment(dir, { steps: 3, checkpointEvery: 0 }));
    assert.notStrictEqual(a.runDir, b.runDir);
    assert.deepStrictEqual(steps(readRunEvents(b.runDir)).map((s) => s.loss), steps(readRunEvents(a.runDir)).map((s) => s.loss));
  });

  it('a resumed run reproduces the same next steps exactly', async () => {
    const first = await runTraining(writeExperiment(dir));
    assert.strictEqual(first.state, 'finished', first.error);
    const original = steps(readRunEvents(first.runDir));
    const resumed = await runTraining('', { resumeFrom: path.join(first.runDir, 'checkpoints/step-00000002') });
    assert.strictEqual(resumed.state, 'finished', resumed.error);
    const replay = steps(readRunEvents(first.runDir)).slice(original.length);
    assert.deepStrictEqual(replay.map((s) => s.step), [3, 4, 5, 6]);
    assert.deepStrictEqual(replay.map((s) => s.loss), original.slice(2).map((s) => s.loss));
  });

  it('stops cooperatively between steps and checkpoints', async () => {
    const controller = new AbortController();
    const result = await runTraining(writeExperiment(dir, { steps: 50 }), { signal: controller.signal }, (e) => {
      if (e.type === 'step' && e.step === 3) controller.abort();
    });
    assert.strictEqual(result.state, 'stopped');
    const status = JSON.parse(fs.readFileSync(path.join(result.runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.strictEqual(status.state, 'stopped');
    assert.strictEqual(status.step, 3);
    assert.ok(fs.existsSync(path.join(result.runDir, 'checkpoints/step-00000003/adapter_model.safetensors')));
  });

  it('a crash mid-run is recorded as failed and keeps the last checkpoint intact', async () => {
    // The event consumer throwing at step 3 stands in for any failure inside the loop.
    const result = await runTraining(writeExperiment(dir, { steps: 20 }), {}, (e) => {
      if (e.type === 'step' && e.step === 3) throw new Error('simulated crash at step 3');
    });
    assert.strictEqual(result.state, 'failed');
    assert.match(result.error ?? '', /simulated crash/);
    const status = JSON.parse(fs.readFileSync(path.join(result.runDir, 'status.json'), 'utf8')) as RunStatus;
    assert.strictEqual(status.state, 'failed');
    assert.strictEqual(status.lastCheckpoint, path.join('checkpoints', 'step-00000002'));
    const resumed = await runTraining('', { resumeFrom: result.runDir });
    assert.strictEqual(resumed.state, 'finished', resumed.error);
  });

  it('an invalid experiment fails before any run folder is made, naming the field', async () => {
    const file = writeExperiment(dir);
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8'));
    cfg.lora.r = 'six';
    fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
    const result = await runTraining(file);
    assert.strictEqual(result.state, 'failed');
    assert.match(result.error ?? '', /lora\/r/);
    assert.ok(!fs.existsSync(path.join(dir, 'runs')));
  });
});
