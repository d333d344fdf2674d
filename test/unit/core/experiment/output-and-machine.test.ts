// The experiment rules that depend on where the file lives and on the machine: `output` stays inside the
// workspace (symbolic links followed) unless the file opts out or the caller replaces it; `threads` stays within
// the cores; the static ceilings of the schema and of the VS Code setting are the engine's.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ExperimentConfigError } from '../../../../src/core/experiment/experiment-error';
import { parseExperiment } from '../../../../src/core/experiment/load-experiment';
import { availableCores, MAX_THREADS } from '../../../../src/core/runtime/thread-count';
import { makeTempFolder, TempFolder } from '../data/temp-files';

describe('experiment rules: output folder and machine', () => {
  let temp: TempFolder;
  let file: string;
  beforeEach(() => {
    temp = makeTempFolder();
    temp.write('ws/models/base.onnx', 'not read by the loader');
    temp.writeJsonl('ws/data/a.jsonl', [{ prompt: 'p', completion: 'c' }]);
    file = path.join(temp.dir, 'ws', 'exp', 'thanora.json');
  });
  afterEach(() => temp.remove());

  const experiment = (extra: object) =>
    JSON.stringify({ baseModel: '../models/base.onnx', tokenizer: 'bytes', tasks: [{ name: 'a', train: '../data/a.jsonl', eval: '../data/a.jsonl' }], ...extra }, null, 2);
  const issues = (text: string, options = {}) => {
    try {
      parseExperiment(text, file, options);
      return [];
    } catch (e) {
      if (!(e instanceof ExperimentConfigError)) throw e;
      return e.issues.map((i) => `${i.pointer}: ${i.message}`);
    }
  };

  it('output must stay inside the experiment folder by default, or the workspace folder the host names', () => {
    const outside = path.join(temp.dir, 'ws', 'runs');
    assert.deepStrictEqual(issues(experiment({ output: '../runs' })), [
      `/output: output "../runs" resolves to ${outside}, outside the workspace ${path.dirname(file)}; write runs inside it (e.g. "runs"), or set "outputOutsideWorkspace": true to allow it`,
    ]);
    assert.deepStrictEqual(issues(experiment({ output: '../runs' }), { workspaceRoot: path.join(temp.dir, 'ws') }), []);
    assert.deepStrictEqual(issues(experiment({ output: '../runs', outputOutsideWorkspace: true })), []);
    assert.deepStrictEqual(issues(experiment({ output: '/somewhere/else' }), { outputReplaced: true }), [], '--runs-dir replaces it');
  });

  it('a symbolic link inside the workspace that leads out of it does not count as inside', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(path.join(temp.dir, 'elsewhere'));
    fs.symlinkSync(path.join(temp.dir, 'elsewhere'), path.join(path.dirname(file), 'link'));
    const found = issues(experiment({ output: 'link/runs' }));
    assert.strictEqual(found.length, 1);
    assert.match(found[0], /^\/output: output "link\/runs" resolves to .*link\/runs, outside the workspace/);
  });

  it('threads above the cores are refused; the schema and setting ceilings match the engine', () => {
    const cores = availableCores();
    assert.deepStrictEqual(issues(experiment({ threads: cores })), []);
    assert.deepStrictEqual(issues(experiment({ threads: cores + 1 })), [
      `/threads: threads is ${cores + 1} but this machine has ${cores} CPU core${cores === 1 ? '' : 's'}; more threads than cores make every step slower, not faster: use 0 (ONNX Runtime chooses) or at most ${cores}`,
    ]);
    const root = path.join(__dirname, '../../../../..');
    const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/thanora.schema.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.strictEqual(schema.properties.threads.maximum, MAX_THREADS);
    assert.strictEqual(manifest.contributes.configuration.properties['thanora.threads'].maximum, MAX_THREADS);
  });
});
