import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  LoraPair,
  PeftAdapterConfig,
  PeftAdapterConfigError,
  PeftAdapterMissingFileError,
  PeftAdapterPairError,
  PeftAdapterShapeError,
  PeftAdapterUnknownKeyError,
  patternValue,
  readPeftAdapter,
  writePeftAdapter,
} from '../../../../src/core/io/peft-adapter';
import { SafeTensor, readSafetensors, writeSafetensors } from '../../../../src/core/io/safetensors';

const fixturesDir = path.join(__dirname, '../../../../../test/fixtures');
const fixtureNames = ['tiny-llama', 'tiny-llama-named', 'tiny-gpt2', 'tiny-bert-cls', 'bench-llama'];

const f32 = (shape: number[], seed = 1): SafeTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7 + i)),
});

function throwsNamed(fn: () => unknown, errorClass: Function, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${e.name}: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message lacks '${f}': ${e.message}`);
    return true;
  });
}

describe('PEFT adapter folder', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A folder with `config` and the given raw safetensors keys. */
  function folder(config: object, tensors: Record<string, SafeTensor>, weightsName = 'adapter_model.safetensors'): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'a-'));
    fs.writeFileSync(path.join(dir, 'adapter_config.json'), JSON.stringify(config));
    writeSafetensors(path.join(dir, weightsName), tensors);
    return dir;
  }
  const baseConfig = { peft_type: 'LORA', r: 2, lora_alpha: 4, target_modules: ['q_proj'] };

  for (const name of fixtureNames) {
    it(`reads the ${name} fixture: one A/B pair per module_map entry, A [r, d_in], B [d_out, r]`, () => {
      const adapter = readPeftAdapter(path.join(fixturesDir, name));
      assert.ok(adapter.weightsFile.endsWith('adapter.safetensors'));
      const { config } = adapter;
      assert.ok(config.module_map);
      assert.deepStrictEqual([...adapter.tensors.keys()].sort(), Object.keys(config.module_map).sort());
      for (const [module, { A, B }] of adapter.tensors) {
        assert.strictEqual(A.shape[0], config.r, module);
        assert.strictEqual(B.shape[1], config.r, module);
      }
      assert.strictEqual(adapter.modulesToSave.size, 0);
    });
  }

  it('keeps unmodelled config fields and the task', () => {
    const { config } = readPeftAdapter(path.join(fixturesDir, 'tiny-bert-cls'));
    assert.strictEqual(config.task, 'sequence_classification');
    assert.strictEqual(config.peft_type, 'LORA');
    assert.deepStrictEqual(config.target_modules, ['query', 'value', 'dense']);
  });

  it('accepts keys without .weight and with an adapter name', () => {
    const dir = folder({ ...baseConfig, modules_to_save: ['score'] }, {
      'base_model.model.layers.0.q_proj.lora_A': f32([2, 5]),
      'base_model.model.layers.0.q_proj.lora_B': f32([3, 2]),
      'base_model.model.layers.1.q_proj.lora_A.default.weight': f32([2, 5]),
      'base_model.model.layers.1.q_proj.lora_B.default.weight': f32([3, 2]),
      'base_model.model.score.weight': f32([2, 3]),
    });
    const adapter = readPeftAdapter(dir);
    assert.deepStrictEqual([...adapter.tensors.keys()].sort(), ['layers.0.q_proj', 'layers.1.q_proj']);
    assert.deepStrictEqual([...adapter.modulesToSave.entries()].map(([k, v]) => [k, v.key]), [['score.weight', 'base_model.model.score.weight']]);
  });

  it('reads the modules_to_save head of a real PEFT SEQ_CLS adapter (hf-bert-cls-mts-ts)', () => {
    const adapter = readPeftAdapter(path.join(fixturesDir, 'hf/hf-bert-cls-mts-ts'));
    assert.deepStrictEqual([...adapter.modulesToSave.keys()].sort(), ['classifier.bias', 'classifier.weight']);
    assert.deepStrictEqual(adapter.modulesToSave.get('classifier.weight')!.tensor.shape, [3, 64]);
    assert.strictEqual(adapter.tensors.size, 13);
  });

  it('refuses a tensor it does not understand, naming the key', () => {
    const dir = folder(baseConfig, {
      'base_model.model.layers.0.q_proj.lora_A.weight': f32([2, 5]),
      'base_model.model.layers.0.q_proj.lora_B.weight': f32([3, 2]),
      'base_model.model.layers.0.q_proj.lora_magnitude_vector': f32([3]),
    });
    assert.throws(() => readPeftAdapter(dir), (e: Error) => e instanceof PeftAdapterUnknownKeyError && e.message.includes("'base_model.model.layers.0.q_proj.lora_magnitude_vector'"));
  });

  it('reads the in-memory modules_to_save key form too', () => {
    const dir = folder({ ...baseConfig, modules_to_save: ['classifier'] }, {
      'base_model.model.layers.0.q_proj.lora_A.weight': f32([2, 5]),
      'base_model.model.layers.0.q_proj.lora_B.weight': f32([3, 2]),
      'base_model.model.classifier.modules_to_save.default.bias': f32([3]),
    });
    assert.deepStrictEqual([...readPeftAdapter(dir).modulesToSave.keys()], ['classifier.bias']);
  });

  it('finds rank_pattern / alpha_pattern values as PEFT does: a full name or a dotted suffix, read as a regex', () => {
    const pattern = { 'layers.1.q_proj': 8, 'v_proj': 2, 'model\\.layers\\.2\\..*': 5 };
    assert.strictEqual(patternValue(pattern, 'model.layers.1.q_proj'), 8);
    assert.strictEqual(patternValue(pattern, 'layers.1.q_proj'), 8);
    assert.strictEqual(patternValue(pattern, 'model.layers.11.q_proj'), undefined);
    assert.strictEqual(patternValue(pattern, 'model.layers.0.v_proj'), 2);
    assert.strictEqual(patternValue(pattern, 'model.layers.0.xv_proj'), undefined);
    assert.strictEqual(patternValue(pattern, 'model.layers.2.o_proj'), 5);
    assert.strictEqual(patternValue(undefined, 'model.layers.2.o_proj'), undefined);
  });

  it('writes modules_to_save tensors under PEFT keys, and refuses one whose module is not listed', () => {
    const source = readPeftAdapter(path.join(fixturesDir, 'hf/hf-bert-cls-mts-ts'));
    const saved = new Map([...source.modulesToSave].map(([name, { tensor }]) => [name, tensor]));
    const out = path.join(tmp, 'mts');
    writePeftAdapter(out, { config: source.config, tensors: source.tensors, modulesToSave: saved });
    const back = readPeftAdapter(out);
    assert.deepStrictEqual([...back.modulesToSave.values()].map((v) => v.key).sort(), ['base_model.model.classifier.bias', 'base_model.model.classifier.weight']);
    assert.deepStrictEqual(Array.from(back.modulesToSave.get('classifier.weight')!.tensor.data as Float32Array), Array.from(saved.get('classifier.weight')!.data as Float32Array));
    assert.throws(
      () => writePeftAdapter(path.join(tmp, 'bad'), { config: { ...source.config, modules_to_save: ['score'] }, tensors: source.tensors, modulesToSave: saved }),
      (e: Error) => e instanceof PeftAdapterConfigError && e.message.includes("'classifier.") && e.message.includes('modules_to_save (score)'),
    );
  });

  it('round-trips through writePeftAdapter in PEFT format', () => {
    const source = readPeftAdapter(path.join(fixturesDir, 'tiny-llama'));
    const out = path.join(tmp, 'out');
    writePeftAdapter(out, { config: source.config, tensors: source.tensors, baseModelName: 'tiny-llama' });
    assert.deepStrictEqual(fs.readdirSync(out).sort(), ['adapter_config.json', 'adapter_model.safetensors', 'thanora_adapter.json']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'adapter_config.json'), 'utf8'));
    assert.deepStrictEqual(
      { ...json, target_modules: undefined },
      {
        peft_type: 'LORA',
        task_type: 'CAUSAL_LM',
        base_model_name_or_path: 'tiny-llama',
        r: 4,
        lora_alpha: 8,
        target_modules: undefined,
        lora_dropout: 0,
        fan_in_fan_out: false,
        bias: 'none',
        inference_mode: true,
      },
    );
    // The module map is the project's, beside PEFT's config; reading the folder brings it back.
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(out, 'thanora_adapter.json'), 'utf8')), { module_map: source.config.module_map });
    assert.deepStrictEqual(readPeftAdapter(out).config.module_map, source.config.module_map);
    const file = readSafetensors(path.join(out, 'adapter_model.safetensors'));
    assert.deepStrictEqual(file.metadata, { format: 'pt' });
    // Same keys, same bytes as the PyTorch-written fixture: only the metadata differs.
    const fixture = readSafetensors(path.join(fixturesDir, 'tiny-llama/adapter.safetensors'));
    assert.deepStrictEqual([...file.tensors.keys()], [...fixture.tensors.keys()]);
    for (const [key, t] of fixture.tensors) assert.deepStrictEqual(file.tensors.get(key), t, key);
    const back = readPeftAdapter(out);
    assert.deepStrictEqual(back.tensors, source.tensors);
  });

  it('maps sequence_classification to SEQ_CLS and rejects unknown tasks', () => {
    const tensors = { 'layers.0.q_proj': { A: f32([2, 5]), B: f32([3, 2]) } };
    writePeftAdapter(tmp, { config: { ...baseConfig, task: 'sequence_classification' }, tensors });
    assert.strictEqual(JSON.parse(fs.readFileSync(path.join(tmp, 'adapter_config.json'), 'utf8')).task_type, 'SEQ_CLS');
    throwsNamed(() => writePeftAdapter(tmp, { config: { ...baseConfig, task: 'translation' }, tensors }), PeftAdapterConfigError, 'translation');
  });

  it('prefers adapter_model.safetensors over adapter.safetensors', () => {
    const dir = folder(baseConfig, { 'base_model.model.m.lora_A.weight': f32([2, 5]), 'base_model.model.m.lora_B.weight': f32([3, 2]) });
    writeSafetensors(path.join(dir, 'adapter.safetensors'), { 'base_model.model.other.lora_A.weight': f32([2, 1]) });
    assert.deepStrictEqual([...readPeftAdapter(dir).tensors.keys()], ['m']);
  });

  describe('errors', () => {
    it('missing adapter_config.json or weights (with a hint for adapter_model.bin)', () => {
      throwsNamed(() => readPeftAdapter(tmp), PeftAdapterMissingFileError, tmp, 'adapter_config.json');
      fs.writeFileSync(path.join(tmp, 'adapter_config.json'), JSON.stringify(baseConfig));
      throwsNamed(() => readPeftAdapter(tmp), PeftAdapterMissingFileError, tmp, 'adapter_model.safetensors');
      fs.writeFileSync(path.join(tmp, 'adapter_model.bin'), '');
      throwsNamed(() => readPeftAdapter(tmp), PeftAdapterMissingFileError, 'safe_serialization=True');
    });

    it('an A without its B names the file and key', () => {
      const dir = folder(baseConfig, { 'base_model.model.m.lora_A.weight': f32([2, 5]) });
      throwsNamed(() => readPeftAdapter(dir), PeftAdapterPairError, path.join(dir, 'adapter_model.safetensors'), 'base_model.model.m.lora_A.weight', 'lora_B');
      const dirB = folder(baseConfig, { 'base_model.model.m.lora_B.weight': f32([3, 2]) });
      throwsNamed(() => readPeftAdapter(dirB), PeftAdapterPairError, 'base_model.model.m.lora_B.weight', 'lora_A');
    });

    it('two A tensors for one module', () => {
      const dir = folder(baseConfig, {
        'base_model.model.m.lora_A.weight': f32([2, 5]),
        'base_model.model.m.lora_A.other.weight': f32([2, 5]),
        'base_model.model.m.lora_B.weight': f32([3, 2]),
      });
      throwsNamed(() => readPeftAdapter(dir), PeftAdapterPairError, "'m'", 'lora_A.other.weight');
    });

    it('rank mismatch between A and B, non-2-D tensors, rank other than r', () => {
      const mismatch = folder(baseConfig, { 'base_model.model.m.lora_A.weight': f32([2, 5]), 'base_model.model.m.lora_B.weight': f32([3, 4]) });
      throwsNamed(() => readPeftAdapter(mismatch), PeftAdapterShapeError, 'adapter_model.safetensors', "'m'", '[2,5]', '[3,4]');
      const conv = folder(baseConfig, { 'base_model.model.m.lora_A.weight': f32([2, 5, 1, 1]), 'base_model.model.m.lora_B.weight': f32([3, 2, 1, 1]) });
      throwsNamed(() => readPeftAdapter(conv), PeftAdapterShapeError, "'m'", '2-D');
      const rank3 = { 'base_model.model.m.lora_A.weight': f32([3, 5]), 'base_model.model.m.lora_B.weight': f32([4, 3]) };
      throwsNamed(() => readPeftAdapter(folder(baseConfig, rank3)), PeftAdapterShapeError, "'m'", 'rank 3', 'rank_pattern');
      assert.strictEqual(readPeftAdapter(folder({ ...baseConfig, rank_pattern: { m: 3 } }, rank3)).tensors.get('m')!.A.shape[0], 3);
      const tensors = new Map<string, LoraPair>([['m', { A: f32([2, 5]), B: f32([3, 3]) }]]);
      const out = path.join(tmp, 'not-written');
      throwsNamed(() => writePeftAdapter(out, { config: baseConfig, tensors }), PeftAdapterShapeError, "'m'");
      assert.ok(!fs.existsSync(out), 'nothing written on error');
    });

    it('config errors name the file and the field', () => {
      const cases: [object | string, string][] = [
        ['{ not json', 'not valid JSON'],
        [{ lora_alpha: 4, target_modules: ['q'] }, '"r"'],
        [{ r: 2, target_modules: ['q'] }, '"lora_alpha"'],
        [{ r: 2, lora_alpha: 4, target_modules: [1] }, '"target_modules"'],
        [{ ...baseConfig, peft_type: 'IA3' }, 'IA3'],
      ];
      for (const [config, fragment] of cases) {
        const dir = fs.mkdtempSync(path.join(tmp, 'c-'));
        fs.writeFileSync(path.join(dir, 'adapter_config.json'), typeof config === 'string' ? config : JSON.stringify(config));
        writeSafetensors(path.join(dir, 'adapter_model.safetensors'), {});
        throwsNamed(() => readPeftAdapter(dir), PeftAdapterConfigError, path.join(dir, 'adapter_config.json'), fragment);
      }
      throwsNamed(() => writePeftAdapter(tmp, { config: { ...baseConfig, r: 0 } as PeftAdapterConfig, tensors: {} }), PeftAdapterConfigError, '"r"');
    });
  });
});
