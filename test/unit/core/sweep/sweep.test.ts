// Sweeps: the plan's errors (named by path, value and file:line before any run), and a tiny real sweep on the
// tiny experiment (test/support/tiny-experiment.ts: 2 methods × 2 seeds, 3 steps each) stopped halfway and
// resumed, whose results table is checked against the run folders' own last evals (mean, sample standard
// deviation, paired difference computed here from the records; exact up to the CSV's number printing).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunStatus, StepEvent, EvalEvent } from '../../../../src/protocol/run-events';
import { SWEEP_FILES, SweepRecord, readRunEvents, readRunStatus } from '../../../../src/core/run-folder';
import { runSweep } from '../../../../src/core/sweep/run-sweep';
import { planSweep } from '../../../../src/core/sweep/sweep-plan';
import { spread } from '../../../../src/core/sweep/sweep-results';
import { writeTinyExperiment } from '../../../support/tiny-experiment';

const bin = path.resolve(__dirname, '../../../../../bin/thanora.js');

describe('sweep', function () {
  this.timeout(300000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-sweep-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const experiment = (sweep: object | undefined, training: object = {}) =>
    writeTinyExperiment(dir, { training: { steps: 3, checkpointEvery: 1, evalEvery: 0, ...training }, ...(sweep ? { sweep } : {}) });
  const planError = (sweep: object | undefined): string => {
    const file = experiment(sweep);
    try {
      planSweep(file);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail('planSweep accepted a bad sweep');
  };

  describe('bad sweeps fail before any run, naming the path and the value', () => {
    it('an option path that does not exist', () => {
      assert.match(planError({ grid: { 'method.temprature': [0.1] } }), /thanora\.json:\d+:\d+: \/sweep\/grid\/method\.temprature: "method\.temprature" is not an option path: method has no field "temprature" \(it has: name, previewSamples, /);
      assert.match(planError({ grid: { 'lora.r.x': [1] } }), /"lora\.r\.x" is not an option path: lora\.r has no fields to choose from/);
      assert.match(planError({ grid: { 'sweep.grid': [1] } }), /"sweep\.grid" cannot be swept/);
    });

    it('a value the schema rejects, located at the value', () => {
      const message = planError({ grid: { 'method.temperature': [0.1, -1] } });
      assert.match(message, /thanora\.json:\d+:\d+: \/sweep\/grid\/method\.temperature\/1: method\.temperature = -1 is rejected: \/method\/temperature: /);
      assert.ok(!/\/sweep\/grid\/method\.temperature\/0/.test(message), message);
    });

    it('an empty grid, an empty axis, a value listed twice', () => {
      assert.match(planError({ grid: {} }), /\/sweep\/grid: /);
      assert.match(planError({ grid: { 'lora.r': [] } }), /\/sweep\/grid\/lora\.r: /);
      assert.match(planError({ grid: { 'lora.r': [4, 4] } }), /\/sweep\/grid\/lora\.r: lora\.r lists a value twice/);
    });

    it('a combination the experiment rules reject, and a baseline outside the grid', () => {
      assert.match(
        planError({ grid: { 'lora.r': [3, 6], 'method.cooperativeRank': [0, 4] } }),
        /\/sweep\/grid: the combination lora\.r = 3, method\.cooperativeRank = 4 is rejected: \/method\/cooperativeRank: lora\.r = 3 cannot give each of the 2 tasks/,
      );
      const grid = { 'method.name': ['thanora', 'lora'], 'training.seed': [1, 2] };
      assert.match(planError({ grid, baseline: { 'lora.r': 4 } }), /\/sweep\/baseline\/lora\.r: baseline path "lora\.r" is not in sweep\.grid \(method\.name, training\.seed\)/);
      assert.match(planError({ grid, baseline: { 'method.name': 'pissa' } }), /baseline method\.name = "pissa" is not one of the grid's values \["thanora","lora"\]/);
      assert.match(planError({ grid, baseline: { 'training.seed': 1 } }), /training\.seed is the repeat axis/);
      assert.match(planError(undefined), /the experiment has no "sweep" block/);
    });

    it('the CLI exits 1 with the message and makes no sweep folder', () => {
      const file = experiment({ grid: { 'method.temprature': [0.1] } });
      const r = spawnSync(process.execPath, [bin, 'sweep', file], { encoding: 'utf8' });
      assert.strictEqual(r.status, 1, r.stderr);
      assert.match(r.stderr, /^thanora sweep: 1 problem in .*thanora\.json:\n {2}.*\/sweep\/grid\/method\.temprature: "method\.temprature" is not an option path/);
      assert.ok(!fs.existsSync(path.join(dir, 'runs')));
    });
  });

  it('plans every combination, first path outermost, each resolved with its values', () => {
    const plan = planSweep(experiment({ grid: { 'method.name': ['thanora', 'lora'], 'lora.r': [4, 6], 'training.seed': [1, 2] } }));
    assert.deepStrictEqual(plan.points.map((p) => p.label).slice(0, 3), ['p001_name-thanora_r-4_seed-1', 'p002_name-thanora_r-4_seed-2', 'p003_name-thanora_r-6_seed-1']);
    assert.strictEqual(plan.points.length, 8);
    for (const p of plan.points) {
      assert.deepStrictEqual([p.config.method.name, p.config.lora.r, p.config.training.seed], [p.values['method.name'], p.values['lora.r'], p.values['training.seed']]);
    }
  });

  it('runs a tiny sweep, stops, resumes (also a run made but not recorded before a crash), and tabulates mean ± std and the paired difference', async () => {
    const grid = { 'method.name': ['thanora', 'lora'], 'training.seed': [1, 2] };
    const file = experiment({ grid, baseline: { 'method.name': 'lora' } });
    const controller = new AbortController();
    const first = await runSweep({ experimentFile: file }, { signal: controller.signal, onEvent: (e, point) => e.type === 'step' && point.index === 1 && e.step === 2 && controller.abort() });
    assert.strictEqual(first.state, 'stopped');
    const recordFile = path.join(first.sweepDir, SWEEP_FILES.record);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as SweepRecord;
    assert.deepStrictEqual(record.points.map((p) => p.runDir !== undefined), [true, true, false, false]);
    const stoppedRun = path.join(first.sweepDir, record.points[1].runDir!);
    assert.strictEqual(readRunStatus(stoppedRun)!.state, 'stopped');
    // A process that died right after creating the run folder had not recorded it.
    delete record.points[1].runDir;
    fs.writeFileSync(recordFile, JSON.stringify(record));

    const done = await runSweep({ resume: first.sweepDir });
    assert.strictEqual(done.state, 'finished');
    const points = (JSON.parse(fs.readFileSync(recordFile, 'utf8')) as SweepRecord).points;
    assert.strictEqual(path.join(first.sweepDir, points[1].runDir!), stoppedRun, 'the stopped run was resumed, not started again');
    assert.deepStrictEqual(readRunEvents(stoppedRun).filter((e): e is StepEvent => e.type === 'step').map((s) => s.step), [1, 2, 3]);
    const runFolders = fs.readdirSync(first.sweepDir).filter((n) => /^p\d{3}_/.test(n));
    assert.deepStrictEqual(runFolders.map((n) => n.split('_')[0]).sort(), ['p001', 'p002', 'p003', 'p004']);
    for (const p of points) assert.strictEqual((readRunStatus(path.join(first.sweepDir, p.runDir!)) as RunStatus).state, 'finished', p.label);

    // The oracle: last eval per run from the run folders.
    const last = (p: (typeof points)[number]) => readRunEvents(path.join(first.sweepDir, p.runDir!)).filter((e): e is EvalEvent => e.type === 'eval').pop()!;
    const loss = (method: string, seed: number, task: string) => last(points.find((p) => p.values['method.name'] === method && p.values['training.seed'] === seed)!).tasks.find((t) => t.task === task)!.loss;
    const csv = fs.readFileSync(path.join(first.sweepDir, SWEEP_FILES.csv), 'utf8').trim().split('\n').map((l) => l.split(','));
    const column = (name: string) => csv[0].indexOf(name);
    const row = (method: string, task: string) => csv.find((r) => r[0] === method && r[column('task')] === task)!;
    for (const task of ['count', 'copy']) {
      const thanora = [1, 2].map((s) => loss('thanora', s, task));
      const lora = [1, 2].map((s) => loss('lora', s, task));
      const mean = (xs: number[]) => (xs[0] + xs[1]) / 2;
      const std = (xs: number[]) => Math.abs(xs[0] - xs[1]) / Math.SQRT2;
      const t = row('thanora', task);
      assert.strictEqual(Number(t[column('loss_mean')]), mean(thanora));
      assert.ok(Math.abs(Number(t[column('loss_std')]) - std(thanora)) <= 1e-12, `${task} std`);
      const d = [0, 1].map((k) => thanora[k] - lora[k]);
      assert.ok(Math.abs(Number(t[column('delta_loss_mean')]) - mean(d)) <= 1e-12, `${task} Δ mean`);
      assert.ok(Math.abs(Number(t[column('delta_loss_std')]) - std(d)) <= 1e-12, `${task} Δ std`);
      assert.strictEqual(t[column('delta_loss_n')], '2');
      const l = row('lora', task);
      assert.deepStrictEqual([l[column('baseline')], l[column('delta_loss_mean')]], ['true', '']);
    }
    const md = fs.readFileSync(path.join(first.sweepDir, SWEEP_FILES.markdown), 'utf8');
    assert.strictEqual(md, done.markdown);
    assert.match(md, /Runs: 4 finished\./);
    assert.match(md, /## copy\n\n\| method\.name \| n \| accuracy % \| Δ accuracy \| eval loss \| Δ loss \|/);
    const copyThanora = spread([1, 2].map((s) => loss('thanora', s, 'copy')));
    assert.ok(md.includes(`| thanora | 2/2 | `) && md.includes(`${copyThanora.mean!.toFixed(4)} ± ${copyThanora.std!.toFixed(4)}`), md);
    assert.match(md, /\| lora \(baseline\) \| 2\/2 \|/);
  });
});
