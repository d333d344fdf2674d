// `thanora import-run`: a job folder after train.py wrote its run files (here written as train.py writes them:
// one JSON event per line, status.json) is read as a run and copied into the runs folder; a re-import of the
// same job replaces the earlier copy, another run of the same name is never replaced, and a folder that is not
// a job, or a job train.py has not run in, is refused with the fix in the message.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exportTrainingJob } from '../../../../src/core/export-job/export-job';
import { importJobRun } from '../../../../src/core/export-job/import-run';
import { readRunEvents } from '../../../../src/core/run-folder';
import { HF_BASE, writeHfJobExperiment } from '../../../support/hf-job-experiment';

const stepEvent = (step: number, loss: number) => ({
  type: 'step', step, time: '2026-12-03T07:00:00.000Z', loss, taskLoss: loss - 0.1, perTaskLoss: [loss, null], sprLoss: 1, lr: 0.01, gradNorm: 1, tokensPerSecond: 100, stepMs: 10,
});

/** What train.py leaves after `steps` steps (state 'running' until its end event). */
function writeTrainPyRun(job: string, steps: number, state: 'running' | 'finished'): void {
  const events: object[] = [
    { type: 'start', time: '2026-12-03T07:00:00.000Z', runId: 'job', method: 'thanora', label: 'thanora', tasks: ['upper', 'reverse'], modules: [], layers: [], totalSteps: 3, rank: 6, provider: 'cpu', fromStep: 0 },
    ...Array.from({ length: steps }, (_, k) => stepEvent(k + 1, 6 - k / 10)),
  ];
  if (state === 'finished') events.push({ type: 'end', step: steps, time: '2026-12-03T07:00:01.000Z', state: 'finished' });
  fs.writeFileSync(path.join(job, 'metrics.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  fs.writeFileSync(path.join(job, 'status.json'), JSON.stringify({ state, runId: 'job', step: steps, totalSteps: 3, lastCheckpoint: 'checkpoints/step-00000000', updated: '2026-12-03T07:00:01.000Z' }));
}

describe('import-run: a job folder as a run', function () {
  this.timeout(120000);
  let tmp: string;
  let exported: string;
  let job: string;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-import-run-'));
    const experiment = writeHfJobExperiment(path.join(tmp, 'exp'));
    exported = (await exportTrainingJob(experiment, { target: 'accelerate', outDir: path.join(tmp, 'exported', 'job'), hfModel: HF_BASE })).dir;
  });
  beforeEach(() => {
    job = path.join(tmp, 'synced', 'job');
    fs.rmSync(path.dirname(job), { recursive: true, force: true });
    fs.mkdirSync(path.dirname(job));
    fs.cpSync(exported, job, { recursive: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("a finished job: copied into the experiment's runs folder, read as a run", () => {
    writeTrainPyRun(job, 3, 'finished');
    const { results, ...run } = importJobRun(job);
    const target = path.join(tmp, 'exp', 'runs', 'job');
    assert.deepStrictEqual(run, { runDir: target, runId: 'job', experimentDir: path.join(tmp, 'exp', 'runs'), label: 'thanora', method: 'thanora', state: 'finished', step: 3, totalSteps: 3, steps: 3, lastLoss: 5.8 });
    // The runs table's row: the job's settings as the engine reads them.
    assert.strictEqual(results.settings['lora.r'], 6);
    assert.deepStrictEqual(readRunEvents(target), readRunEvents(job));
    assert.ok(fs.existsSync(path.join(target, 'checkpoints/step-00000000/adapter_model.safetensors')));
  });

  it('a running job, then the same job again later: the earlier copy is replaced', () => {
    const into = path.join(tmp, 'runs-a');
    writeTrainPyRun(job, 1, 'running');
    // No local process writes it, so it reads as interrupted here (as any run whose writer is gone).
    const running = importJobRun(job, { into });
    assert.deepStrictEqual([running.state, running.steps, running.lastLoss], ['interrupted', 1, 6]);
    writeTrainPyRun(job, 3, 'finished');
    const run = importJobRun(job, { into });
    assert.deepStrictEqual([run.state, run.steps], ['finished', 3]);
    assert.strictEqual(readRunEvents(path.join(into, 'job')).filter((e) => e.type === 'step').length, 3);
  });

  it('another run of the same name in the runs folder is never replaced', () => {
    const into = path.join(tmp, 'runs-b');
    fs.mkdirSync(path.join(into, 'job'), { recursive: true });
    fs.writeFileSync(path.join(into, 'job', 'status.json'), '{"state":"finished"}');
    writeTrainPyRun(job, 3, 'finished');
    assert.throws(() => importJobRun(job, { into }), {
      message: `${path.join(into, 'job')} already holds another run named 'job'; rename the job folder before importing it, or import into another folder with --into`,
    });
    // Another export of the same name is another job, too.
    const spec = JSON.parse(fs.readFileSync(path.join(job, 'job.json'), 'utf8'));
    fs.rmSync(path.join(into, 'job'), { recursive: true });
    importJobRun(job, { into });
    fs.writeFileSync(path.join(job, 'job.json'), JSON.stringify({ ...spec, exportedAt: '2030-01-01T00:00:00.000Z' }));
    assert.throws(() => importJobRun(job, { into }), /already holds another run named 'job'/);
    assert.strictEqual(fs.readFileSync(path.join(into, 'job', 'status.json'), 'utf8').includes('"finished"'), true);
  });

  it('train.py has not run yet: says to launch it', () => {
    assert.throws(() => importJobRun(job), { message: `${path.join(job, 'metrics.jsonl')} has no start event yet; train.py has not run in this folder (launch it, then sync the folder back)` });
  });

  it('status.json missing', () => {
    writeTrainPyRun(job, 1, 'running');
    fs.rmSync(path.join(job, 'status.json'));
    assert.throws(() => importJobRun(job), { message: `${path.join(job, 'status.json')} is missing or unreadable; sync the whole job folder back` });
  });

  it('a folder that is not a job, a bad job.json, a job of another format', () => {
    const plain = path.join(tmp, 'plain');
    fs.mkdirSync(plain, { recursive: true });
    assert.throws(() => importJobRun(plain), { message: `${plain} has no job.json; pass a folder written by \`thanora export-job\` (synced back whole)` });
    assert.throws(() => importJobRun(path.join(tmp, 'nowhere')), { message: `${path.join(tmp, 'nowhere')} is not a folder; pass the job folder written by \`thanora export-job\`` });
    fs.writeFileSync(path.join(job, 'job.json'), '{"format": "thanora-job/1",');
    assert.throws(() => importJobRun(job), (e: Error) => e.message.startsWith(`${path.join(job, 'job.json')}: not valid JSON (`) && e.message.endsWith('); sync the job folder back again'));
    fs.writeFileSync(path.join(job, 'job.json'), '{"format": "thanora-job/0"}');
    assert.throws(() => importJobRun(job), { message: `${path.join(job, 'job.json')}: "format" is "thanora-job/0", expected "thanora-job/1"; export the job again with this version of thanora` });
  });

  it('no config.json and no --into: says where to put it', () => {
    writeTrainPyRun(job, 3, 'finished');
    fs.rmSync(path.join(job, 'config.json'));
    assert.throws(() => importJobRun(job), { message: `${path.join(job, 'config.json')} is missing; sync the whole job folder back, or name the runs folder with --into` });
  });
});
