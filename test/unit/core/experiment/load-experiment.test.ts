import * as assert from 'assert';
import * as path from 'path';
import { loadTaskData } from '../../../../src/core/data/load-task-data';
import { loadTokenizer } from '../../../../src/core/data/tokenizer';
import { autoCooperativeRank, resolveEntropyRank } from '../../../../src/core/experiment/experiment-config';
import { ConfigIssue, ExperimentConfigError } from '../../../../src/core/experiment/experiment-error';
import { loadExperiment, parseExperiment } from '../../../../src/core/experiment/load-experiment';
import { makeTempFolder, TempFolder } from '../data/temp-files';

describe('loadExperiment', () => {
  let temp: TempFolder;
  let file: string;

  beforeEach(() => {
    temp = makeTempFolder();
    temp.write('models/base.onnx', 'not read by the loader');
    for (const name of ['qa', 'sum', 'cls']) {
      temp.writeJsonl(`data/${name}.train.jsonl`, [{ prompt: 'p', completion: 'c' }]);
      temp.writeJsonl(`data/${name}.eval.jsonl`, [{ prompt: 'p', completion: 'c' }]);
    }
    file = path.join(temp.dir, 'exp', 'thanora.json');
  });
  afterEach(() => temp.remove());

  const task = (name: string, extra: object = {}) => ({ name, train: `../data/${name}.train.jsonl`, eval: `../data/${name}.eval.jsonl`, ...extra });
  const minimal = (extra: object = {}) => ({ baseModel: '../models/base.onnx', tokenizer: 'bytes', tasks: [task('qa'), task('sum')], ...extra });
  const text = (value: object) => JSON.stringify(value, null, 2);

  function issuesOf(source: string): ConfigIssue[] {
    try {
      parseExperiment(source, file);
    } catch (e) {
      if (e instanceof ExperimentConfigError) return [...e.issues];
      throw e;
    }
    return assert.fail('expected an ExperimentConfigError');
  }

  it('fills every default and resolves paths relative to the file', () => {
    const config = parseExperiment(text(minimal()), file);
    assert.strictEqual(config.baseModel, path.join(temp.dir, 'models', 'base.onnx'));
    assert.strictEqual(config.tasks[1].train, path.join(temp.dir, 'data', 'sum.train.jsonl'));
    assert.strictEqual(config.output, path.join(temp.dir, 'exp', 'runs', 'experiment'));
    assert.deepStrictEqual(config.tokenizer, { kind: 'bytes' });
    assert.deepStrictEqual(config.lora, { targets: { kind: 'all-linear' }, r: 16, alpha: 32, modulesToSave: 'auto' });
    assert.deepStrictEqual(config.tasks[0], { ...config.tasks[0], weight: 1, format: 'auto', labels: undefined });
    // cooperativeRank "auto" = ⌊16 / (2 + 1)⌋ = 5.
    assert.deepStrictEqual(config.method, {
      name: 'thanora', previewSamples: 256, epsilon: 1e-4, entropyRank: 'auto', entropyOver: 'sigma', cooperativeRank: 5,
      temperature: 0.05, allocation: 'module', gamma: 1, taskLrScale: 1, lambda: 1e-3, sprSides: 'both',
    });
    assert.deepStrictEqual(config.training, {
      length: { unit: 'steps', steps: 1000 }, batchSize: 8, gradAccumulation: 1, seqLength: 512, padding: 'longest', lr: 2e-4, warmupSteps: 0,
      schedule: 'cosine', weightDecay: 0, gradClip: 1, seed: 42, evalEvery: 100, checkpointEvery: 500, onDivergence: 'warn', mixing: 'proportional',
      best: { metric: 'mean-accuracy', patience: 0 },
    });
    assert.deepStrictEqual([config.device, config.threads], ['auto', 0]);
  });

  it('reads epochs, explicit settings, a tokenizer folder and each form of lora.targets', () => {
    temp.write('tok/tokenizer.json', '{}');
    const moduleMap = { 'model.layers.0.q_proj': { initializer: 'W_q', node: '/q/MatMul', op: 'MatMul', stored: 'in_out' } };
    const config = parseExperiment(
      text(minimal({ tokenizer: '../tok', lora: { targets: moduleMap, r: 8 }, method: { cooperativeRank: 0, temperature: 'uniform', entropyRank: 8 }, training: { epochs: 2.5 } })),
      file,
    );
    assert.deepStrictEqual(config.tokenizer, { kind: 'huggingface', path: path.join(temp.dir, 'tok') });
    assert.deepStrictEqual(config.lora.targets, { kind: 'module-map', modules: moduleMap });
    assert.deepStrictEqual([config.method.cooperativeRank, config.method.temperature, config.method.entropyRank], [0, 'uniform', 8]);
    assert.deepStrictEqual(config.training.length, { unit: 'epochs', epochs: 2.5 });
    const suffixes = parseExperiment(text(minimal({ lora: { targets: ['q_proj', 'v_proj'] } })), file);
    assert.deepStrictEqual(suffixes.lora.targets, { kind: 'suffixes', suffixes: ['q_proj', 'v_proj'] });
    assert.deepStrictEqual(parseExperiment(text(minimal({ lora: { modulesToSave: ['classifier'] } })), file).lora.modulesToSave, ['classifier']);
    assert.throws(() => parseExperiment(text(minimal({ lora: { modulesToSave: 'classifier' } })), file), /modulesToSave/);
  });

  it('reports every schema problem at once, each with pointer, line:column and what is allowed', () => {
    const source = text(minimal({ lora: { r: 0, targets: { m: { node: 3 } } }, method: { temperature: 'unifrom' }, training: { lrr: 1, schedule: 'cos' } }));
    const issues = issuesOf(source);
    const lines = source.split('\n');
    const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const byPointer = new Map(issues.map((i) => [i.pointer, i]));
    assert.deepStrictEqual([...byPointer.keys()], ['/lora/r', '/lora/targets/m', '/lora/targets/m/node', '/method/temperature', '/training/lrr', '/training/schedule']);
    assert.match(byPointer.get('/lora/r')!.message, /must be an integer ≥ 1 \(got 0\)/);
    assert.match(byPointer.get('/lora/targets/m')!.message, /missing required field "initializer"/);
    assert.match(byPointer.get('/lora/targets/m/node')!.message, /must be a string \(got 3\)/);
    assert.match(byPointer.get('/method/temperature')!.message, /must be a number > 0 or "uniform".*\(got "unifrom"\) \(did you mean "uniform"\?\)/);
    assert.match(byPointer.get('/training/lrr')!.message, /unknown field "lrr" \(did you mean "lr"\?\); allowed here: steps, epochs/);
    assert.match(byPointer.get('/training/schedule')!.message, /must be one of "cosine", "linear", "constant" \(got "cos"\)/);
    // An unknown field points at its name, a bad value at the value.
    assert.deepStrictEqual(byPointer.get('/training/lrr')!.position, { line: lineOf('"lrr"'), column: lines[lineOf('"lrr"') - 1].indexOf('"lrr"') + 1 });
    assert.deepStrictEqual(byPointer.get('/lora/r')!.position, { line: lineOf('"r": 0'), column: lines[lineOf('"r": 0') - 1].indexOf('0') + 1 });
  });

  it('suggests the intended word for typos and cut-short values', () => {
    const issues = issuesOf(text(minimal({ lora: { targets: 'all-lin' }, method: { allocaton: 'layer' } })));
    assert.match(issues[0].message, /must be "all-linear" .* or a list of strings or an object .*\(did you mean "all-linear"\?\)/);
    assert.match(issues[1].message, /unknown field "allocaton" \(did you mean "allocation"\?\)/);
  });

  it('suggests the object for a method given as its name ("method": "lora" → {"name": "lora"})', () => {
    const exact = issuesOf(text(minimal({ method: 'lora' })));
    assert.strictEqual(exact.length, 1);
    assert.strictEqual(exact[0].pointer, '/method');
    assert.match(exact[0].message, /must be an object .*\(got "lora"\); did you mean \{"name": "lora"\}\?$/);
    assert.match(issuesOf(text(minimal({ method: 'thanroa' })))[0].message, /did you mean \{"name": "thanora"\}\?$/);
    assert.doesNotMatch(issuesOf(text(minimal({ method: 'xyz-unrelated' })))[0].message, /did you mean/);
  });

  it('points a missing required field at the object that lacks it', () => {
    const issues = issuesOf(text({ baseModel: 'm.onnx', tasks: [{ name: 'qa', train: 't' }] }));
    assert.deepStrictEqual(issues.map((i) => [i.pointer, i.position?.line]), [['', 1], ['/tasks/0', 4]]);
    assert.match(issues[0].message, /missing required field "tokenizer": How text becomes token ids/);
    assert.match(issues[1].message, /missing required field "eval"/);
  });

  it('checks task names, the rank budget, steps vs epochs and warmup', () => {
    const issues = issuesOf(text(minimal({ tasks: [task('qa'), { ...task('qa'), name: 'QA' }, task('sum')], lora: { r: 2 }, method: { entropyRank: 1 }, training: { steps: 10, epochs: 1, warmupSteps: 20 } })));
    const messages = Object.fromEntries(issues.map((i) => [i.pointer, i.message]));
    assert.deepStrictEqual(Object.keys(messages).sort(), ['/lora/r', '/method/entropyRank', '/tasks/1/name', '/training/epochs', '/training/warmupSteps']);
    assert.match(messages['/tasks/1/name'], /"QA" is already used by tasks\[0\] \("qa"\)/);
    // r = 2, 3 tasks, cooperative "auto" = ⌊2/4⌋ = 0 ⇒ need r ≥ 3.
    assert.match(messages['/lora/r'], /lora.r = 2 cannot give each of the 3 tasks a rank ≥ 1 .* needs r ≥ 3 \+ 0 = 3/);
    assert.match(messages['/method/entropyRank'], /entropyRank 1 is below lora.r = 2/);
    assert.match(messages['/training/epochs'], /either training.steps or training.epochs, not both/);
    assert.match(messages['/training/warmupSteps'], /warmupSteps 20 exceeds training.steps 10/);
  });

  it('blames an explicit cooperativeRank, and skips the rank split for the baselines', () => {
    const issues = issuesOf(text(minimal({ lora: { r: 4 }, method: { cooperativeRank: 3 } })));
    assert.deepStrictEqual(issues.map((i) => i.pointer), ['/method/cooperativeRank']);
    assert.match(issues[0].message, /needs r ≥ 2 \+ 3 = 5\. Raise lora.r or lower method.cooperativeRank/);
    assert.strictEqual(parseExperiment(text(minimal({ lora: { r: 1 }, method: { name: 'lora' } })), file).lora.r, 1);
  });

  it('names the task and the field of each missing file', () => {
    const issues = issuesOf(text(minimal({ baseModel: 'none.onnx', tokenizer: 'tok.json', tasks: [task('qa'), { ...task('sum'), eval: 'gone.jsonl' }] })));
    assert.deepStrictEqual(issues.map((i) => i.pointer), ['/baseModel', '/tokenizer', '/tasks/1/eval']);
    assert.match(issues[0].message, /base model not found: .*none\.onnx \(resolved relative to .*exp\)/);
    assert.match(issues[2].message, /task "sum": eval file not found: .*gone\.jsonl/);
  });

  it('refuses class names on a task whose format is not classification', () => {
    const issues = issuesOf(text(minimal({ tasks: [task('qa', { format: 'prompt_completion', labels: ['a', 'b'] })] })));
    assert.match(issues[0].message, /labels \(class names\) only apply to classification/);
  });

  it('reports invalid JSON, duplicate keys and an unreadable file with a location', () => {
    const [syntax] = issuesOf('{\n  "baseModel": "m.onnx",\n}');
    assert.deepStrictEqual([syntax.pointer, syntax.position], ['', { line: 3, column: 1 }]);
    assert.match(syntax.message, /invalid JSON: trailing comma/);
    const [duplicate] = issuesOf('{"baseModel": "a.onnx",\n "baseModel": "b.onnx", "tokenizer": "bytes", "tasks": []}');
    assert.deepStrictEqual([duplicate.pointer, duplicate.position], ['/baseModel', { line: 2, column: 2 }]);
    assert.throws(() => loadExperiment(path.join(temp.dir, 'missing.json')), /missing\.json: \(file\): cannot read the experiment file: file not found/);
  });

  it('loads examples/minimal/thanora.json and all of its data', () => {
    const config = loadExperiment(path.join(__dirname, '../../../../../examples/minimal/thanora.json'));
    const tokenizer = loadTokenizer(config.tokenizer);
    const data = loadTaskData(config.tasks, tokenizer, { seqLength: config.training.seqLength });
    assert.deepStrictEqual(data.tasks.map((t) => t.name), config.tasks.map((t) => t.name));
    assert.ok(data.tasks.every((t) => t.train.length > 0 && t.eval.length > 0));
  });

  it('resolves "auto" ranks (hand-derived)', () => {
    assert.strictEqual(resolveEntropyRank('auto', 64, 1024), 64);
    assert.strictEqual(resolveEntropyRank('auto', 4096, 11008), 256);
    assert.strictEqual(resolveEntropyRank(300, 64, 128), 64);
    assert.strictEqual(autoCooperativeRank(16, 3), 4);
    assert.strictEqual(autoCooperativeRank(2, 3), 0);
  });
});
