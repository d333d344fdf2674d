// runOneShotWorker with small real workers (scripts written to a temp folder and forked): the result, the
// worker's own failure text, a worker that dies without answering (its stderr quoted) and an abort.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runOneShotWorker, type OneShotJob } from '../../../src/training/one-shot-worker';

type Message = { type: 'log'; message: string } | { type: 'done'; value: number } | { type: 'failed'; error: string };

function workerFile(dir: string, name: string, body: string): string {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, `process.on('message', (request) => { ${body} });\n`);
  return file;
}

describe('runOneShotWorker', () => {
  let dir: string;
  const lines: string[] = [];
  const job = (output: 'log' | 'tail'): OneShotJob<Message, number> => ({
    what: 'test job',
    resultOf: (m) => (m.type === 'done' ? m.value : undefined),
    lineOf: (m) => (m.type === 'log' ? m.message : undefined),
    onLine: (line) => lines.push(line),
    output,
  });
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'one-shot-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => (lines.length = 0));

  it('resolves with the result, passing log messages and (in log mode) the output on', async () => {
    const file = workerFile(dir, 'ok', `console.log('printed'); process.send({ type: 'log', message: 'working' }); process.send({ type: 'done', value: request.x * 2 }, () => process.exit(0));`);
    assert.strictEqual(await runOneShotWorker(file, { x: 21 }, job('log')), 42);
    assert.ok(lines.includes('working'), lines.join('|'));
    assert.ok(lines.some((l) => l.includes('printed')), lines.join('|'));
  });

  it("rejects with the worker's own failure text", async () => {
    const file = workerFile(dir, 'fails', `process.send({ type: 'failed', error: 'lora.r must be a positive integer' }, () => process.exit(1));`);
    await assert.rejects(runOneShotWorker(file, {}, job('log')), /^Error: lora\.r must be a positive integer$/);
  });

  it('a worker that dies without an answer: the exit code and the last of its stderr', async () => {
    const file = workerFile(dir, 'dies', `process.stderr.write('out of memory in MatMul\\n'); process.exit(3);`);
    await assert.rejects(runOneShotWorker(file, {}, job('tail')), (e: Error) => {
      assert.match(e.message, /test job worker exited with code 3 without a result; last output:\nout of memory in MatMul/);
      return true;
    });
    assert.deepStrictEqual(lines, [], 'tail mode keeps the output out of the lines');
  });

  it('an abort kills the worker and says the job was cancelled', async () => {
    const file = workerFile(dir, 'hangs', `setInterval(() => undefined, 1000);`);
    const abort = new AbortController();
    const running = runOneShotWorker(file, {}, job('log'), abort.signal);
    setTimeout(() => abort.abort(), 200);
    await assert.rejects(running, /^Error: test job cancelled$/);
  });
});
