// The playground's models. Oracle: a checkpoint run as the unmerged model (base + injected adapter, W' for
// residual methods) generates exactly what the merged model of that checkpoint generates, greedy and sampled
// with one seed, and not what the base generates (so the adapter is really applied). The merge itself is
// verified to 1e-4 relative on the logits; the token ids must agree exactly.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ByteTokenizer } from '../../../../src/core/data/byte-tokenizer';
import { ChatTemplate } from '../../../../src/core/data/chat-template';
import type { TextTokenizer } from '../../../../src/core/data/tokenizer';
import { generateTokens } from '../../../../src/core/generate/generate-tokens';
import type { Decoding } from '../../../../src/core/generate/next-token';
import { openPlainModel, openTunedModel, parseTunedChoice, playgroundModels, resolvePlaygroundRun, type OpenedModel, type TunedChoice } from '../../../../src/core/generate/playground-models';
import { decodeCompletion, encodePrompt } from '../../../../src/core/generate/prompt-ids';
import { mergeCheckpoint } from '../../../../src/core/merge/merge-adapter';
import { buildSyntheticRun, type SyntheticRun } from '../merge/synthetic-run';
import { makeTempDir } from '../merge/merge-test-helpers';

// tiny-llama's vocabulary is 96 ids; prompts are id lists inside it.
const prompts = [[3, 17, 40, 5], [60, 2, 2, 9, 81, 33], [11]];
const decodings: Decoding[] = [{ kind: 'greedy' }, { kind: 'sample', temperature: 0.9, topP: 0.95, seed: 4 }];

async function generateWith(open: Promise<OpenedModel>, decoding: Decoding): Promise<number[][]> {
  const opened = await open;
  try {
    return await generateTokens(opened.session, prompts, { maxNewTokens: 10, padId: 0, decoding }, opened.values);
  } finally {
    await opened.session.release();
  }
}

for (const residual of [true, false]) {
  describe(`playground on a ${residual ? 'residual (thanora)' : 'vanilla (lora)'} checkpoint`, function () {
    this.timeout(120000);
    let run: SyntheticRun;
    const options = { device: 'cpu' as const, threads: 1 };
    before(async () => {
      run = buildSyntheticRun(makeTempDir(), { residual });
      await mergeCheckpoint(run.runDir, { checkpoint: 'step-10' });
    });
    after(() => fs.rmSync(run.runDir, { recursive: true, force: true }));

    for (const decoding of decodings) {
      it(`${decoding.kind}: the checkpoint generates what its merged model generates, unlike the base`, async () => {
        const checkpoint = await generateWith(openTunedModel(run.runDir, 'step-10', options), decoding);
        const merged = await generateWith(openTunedModel(run.runDir, 'merged', options), decoding);
        const base = await generateWith(openPlainModel(run.baseModelFile, 'base model', options), decoding);
        assert.deepStrictEqual(checkpoint, merged);
        assert.notDeepStrictEqual(checkpoint, base, 'the adapter must change the completions');
        assert.ok(checkpoint.every((ids) => ids.length === 10));
      });
    }

    it('lists the merged model, then the checkpoints newest first; a run folder resolves to itself', () => {
      assert.deepStrictEqual(playgroundModels(run.runDir), [
        { choice: 'merged', label: 'merged model (step 10)' },
        { choice: 'step-10', label: 'checkpoint step 10' },
      ]);
      assert.strictEqual(resolvePlaygroundRun(run.runDir), run.runDir);
    });
  });
}

describe('playground inputs', () => {
  it('parses the model choice: merged, best, last, step-N, a bare step', () => {
    const cases: [string, TunedChoice][] = [['merged', 'merged'], ['best', 'best'], ['last', 'last'], ['step-800', 'step-800'], ['800', 'step-800'], ['0', 'step-0']];
    for (const [text, choice] of cases) assert.strictEqual(parseTunedChoice(text), choice);
    assert.throws(() => parseTunedChoice('newest'), /'newest' is not last, best or step-N .*a step number, or merged/);
  });

  it('a checkpoint that is not there names the run and its checkpoints', async () => {
    const run = buildSyntheticRun(makeTempDir(), { residual: false });
    try {
      await assert.rejects(openTunedModel(run.runDir, 'step-4', {}), /has no checkpoint checkpoints\/step-00000004; its checkpoints: step-00000010/);
      await assert.rejects(openTunedModel(run.runDir, 'merged', {}), /has no merged model .*merge it first/);
    } finally {
      fs.rmSync(run.runDir, { recursive: true, force: true });
    }
  });

  it('encodes through the chat template as one user turn with the generation prompt, else raw', () => {
    const bytes = new ByteTokenizer();
    const template = new ChatTemplate('test template', "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}<|end|>{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}", {});
    const chat: TextTokenizer = { kind: 'bytes', vocabSize: bytes.vocabSize, special: bytes.special, chatTemplate: template, encode: (s, special) => bytes.encode(s, special), decode: (ids) => bytes.decode(ids) };
    const withTemplate = encodePrompt(chat, 'reverse: stone');
    assert.strictEqual(withTemplate.text, '<|user|>reverse: stone<|end|><|assistant|>');
    assert.deepStrictEqual(withTemplate.ids, bytes.encode(withTemplate.text, false));
    assert.strictEqual(withTemplate.chatTemplate, true);
    assert.deepStrictEqual(encodePrompt(chat, 'reverse: stone', false), { text: 'reverse: stone', ids: bytes.encode('reverse: stone', true), chatTemplate: false });
    assert.deepStrictEqual(encodePrompt(bytes, 'copy: ab'), { text: 'copy: ab', ids: bytes.encode('copy: ab', true), chatTemplate: false });
    const eos = bytes.special.eos!;
    assert.deepStrictEqual(decodeCompletion(bytes, [...bytes.encode('enots', false), eos]), { text: 'enots', stoppedAtEos: true });
    assert.deepStrictEqual(decodeCompletion(bytes, bytes.encode('eno', false)), { text: 'eno', stoppedAtEos: false });
  });
});

describe('resolvePlaygroundRun on a thanora.json', () => {
  it('takes the newest run of the experiment, and says so when there is none', () => {
    const dir = makeTempDir();
    try {
      const file = path.join(dir, 'thanora.json');
      fs.writeFileSync(file, fs.readFileSync(path.resolve(__dirname, '../../../../../examples/demo/thanora.json'), 'utf8').replace('"model.onnx"', JSON.stringify(path.resolve(__dirname, '../../../../../examples/demo/model.onnx'))).replace(/"data\//g, `"${path.resolve(__dirname, '../../../../../examples/demo/data')}/`));
      assert.throws(() => resolvePlaygroundRun(file), /has no runs yet in .*runs\/demo; train it first/);
      for (const [name, t] of [['older', 1000], ['newer', 2000]] as const) {
        const runDir = path.join(dir, 'runs/demo', name);
        fs.mkdirSync(runDir, { recursive: true });
        fs.writeFileSync(path.join(runDir, 'config.json'), '{}');
        fs.writeFileSync(path.join(runDir, 'status.json'), '{}');
        fs.utimesSync(path.join(runDir, 'config.json'), t, t);
      }
      assert.strictEqual(resolvePlaygroundRun(file), path.join(dir, 'runs/demo', 'newer'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
