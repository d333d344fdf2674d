// `thanora generate` through the real CLI: a run's checkpoint beside its base model (text and --json), and the
// exact usage errors for decoding options and model choices.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { PlaygroundResult } from '../../../src/protocol/playground';
import { buildSyntheticRun, type SyntheticRun } from '../core/merge/synthetic-run';
import { makeTempDir } from '../core/merge/merge-test-helpers';

const root = path.resolve(__dirname, '../../../..');

function thanora(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/thanora.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l && !l.startsWith('running on CPU')).join('\n') };
}

describe('thanora generate', function () {
  this.timeout(60000);
  let run: SyntheticRun;
  before(() => (run = buildSyntheticRun(makeTempDir(), { residual: true })));
  after(() => fs.rmSync(run.runDir, { recursive: true, force: true }));
  // tiny-llama has 96 ids: with the byte tokenizer (id = byte + 3) digits and '+' are inside its vocabulary.
  const prompt = '12+3';

  it('completes the prompt with the checkpoint and the base model (--json: the whole result)', () => {
    const r = thanora('generate', run.runDir, '--prompt', prompt, '--checkpoint', '10', '--max-new-tokens', '6', '--json', '--device', 'cpu');
    assert.strictEqual(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as PlaygroundResult;
    assert.strictEqual(result.runDir, run.runDir);
    assert.strictEqual(result.promptText, prompt);
    assert.strictEqual(result.promptTokens, prompt.length + 1, 'the byte tokenizer prefixes BOS');
    assert.deepStrictEqual([result.base.label, result.base.path], ['base model', run.baseModelFile]);
    assert.deepStrictEqual([result.tuned.label, result.tuned.path], ['checkpoint step 10', run.checkpointDir]);
    assert.strictEqual(result.tuned.ids.length, 6);
    assert.notDeepStrictEqual(result.tuned.ids, result.base.ids);
  });

  it('prints the prompt and both completions, sampled with a seed the same twice', () => {
    const args = ['generate', run.runDir, '--prompt', prompt, '--max-new-tokens', '6', '--sample', '--temperature', '0.9', '--top-p', '0.9', '--seed', '5', '--device', 'cpu'];
    const r = thanora(...args);
    assert.strictEqual(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.deepStrictEqual(lines.slice(0, 2), [`run: ${run.runDir}`, 'prompt (5 tokens): "12+3"']);
    assert.match(lines[2], new RegExp(`^── base model \\(${run.baseModelFile}; 6 tokens, hit --max-new-tokens, \\d+ ms\\)$`));
    assert.ok(lines.some((l) => l.startsWith('── checkpoint last (the run records no best checkpoint)')), r.stdout);
    assert.strictEqual(thanora(...args).stdout.replace(/\d+ ms/g, ''), r.stdout.replace(/\d+ ms/g, ''));
  });

  it('usage errors name the option and the fix', () => {
    const cases: [string[], string][] = [
      [['--temperature', '0.5'], 'thanora generate: --temperature applies only with --sample (greedy decoding has no randomness)'],
      [['--sample', '--top-p', '1.5'], 'thanora generate: --top-p must be in (0, 1], got 1.5'],
      [['--sample', '--temperature', 'hot'], "thanora generate: --temperature must be a number, got 'hot'"],
      [['--checkpoint', 'newest'], "thanora generate: --checkpoint: checkpoint choice 'newest' is not last, best or step-N (e.g. step-400), a step number, or merged"],
      [['--tokenizer', 'bytes'], 'thanora generate: --tokenizer applies to --model; a run uses the tokenizer it was trained with'],
    ];
    for (const [extra, message] of cases) {
      const r = thanora('generate', run.runDir, '--prompt', prompt, ...extra);
      assert.strictEqual(r.code, 2, extra.join(' '));
      assert.strictEqual(r.stderr.split('\n')[0], message);
    }
    const missing = thanora('generate', run.runDir, '--prompt', prompt, '--checkpoint', 'merged');
    assert.strictEqual(missing.code, 1);
    assert.match(missing.stderr, /has no merged model \(merged\/merge-report\.json\); merge it first \(thanora merge .*\) or prompt a checkpoint$/);
  });
});
