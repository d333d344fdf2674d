import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { ModuleMap, TargetResolutionError, resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ModelProto } from '../../../../src/core/onnx/types';
import { readSafetensorsLite } from '../../../support/read-safetensors-lite';

const fixtureDir = (name: string) => path.join(__dirname, '../../../../../test/fixtures', name);

interface FixtureConfig {
  target_modules: string[];
  module_map: ModuleMap;
}

const models = new Map<string, ModelProto>();
function fixtureModel(name: string): ModelProto {
  let m = models.get(name);
  if (!m) {
    m = readModelFile(path.join(fixtureDir(name), 'model.onnx'));
    models.set(name, m);
  }
  return m;
}

function fixtureConfig(name: string): FixtureConfig {
  return JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'adapter_config.json'), 'utf8')) as FixtureConfig;
}

function asModuleMap(modules: ResolvedModule[]): Record<string, { initializer: string; node: string; op: string; stored: string }> {
  return Object.fromEntries(modules.map((m) => [m.peftName, { initializer: m.initializer, node: m.node, op: m.op, stored: m.stored }]));
}

const fixtures = ['tiny-llama', 'tiny-gpt2', 'tiny-bert-cls', 'tiny-llama-named', 'bench-llama'];

describe('resolveTargets on the PyTorch fixtures', () => {
  for (const name of fixtures) {
    it(`${name}: target_modules (short names) give exactly the fixture's module_map`, () => {
      const config = fixtureConfig(name);
      const resolved = resolveTargets(fixtureModel(name), config.target_modules);
      assert.deepStrictEqual(asModuleMap(resolved), config.module_map);
    });

    it(`${name}: PEFT names are the adapter.safetensors keys; shapes match lora_A [r,in] and lora_B [out,r]`, () => {
      const adapter = readSafetensorsLite(path.join(fixtureDir(name), 'adapter.safetensors'));
      const resolved = resolveTargets(fixtureModel(name), fixtureConfig(name).target_modules);
      const keys = [...adapter.keys()].sort();
      const expectedKeys = resolved
        .flatMap((m) => [`base_model.model.${m.peftName}.lora_A.weight`, `base_model.model.${m.peftName}.lora_B.weight`])
        .sort();
      assert.deepStrictEqual(keys, expectedKeys);
      for (const m of resolved) {
        assert.strictEqual(adapter.get(`base_model.model.${m.peftName}.lora_A.weight`)!.shape[1], m.dIn, m.peftName);
        assert.strictEqual(adapter.get(`base_model.model.${m.peftName}.lora_B.weight`)!.shape[0], m.dOut, m.peftName);
      }
    });

    it(`${name}: the explicit module map resolves to the same modules`, () => {
      const config = fixtureConfig(name);
      const fromMap = resolveTargets(fixtureModel(name), config.module_map);
      assert.deepStrictEqual(fromMap, resolveTargets(fixtureModel(name), config.target_modules));
    });
  }
});

describe('resolveTargets target string forms', () => {
  const named = () => fixtureModel('tiny-llama-named');
  const peftNames = (spec: string[]) => resolveTargets(named(), spec).map((m) => m.peftName);

  it('weight initializer name', () => {
    assert.deepStrictEqual(peftNames(['model.layers.0.self_attn.q_proj.weight']), ['model.layers.0.self_attn.q_proj']);
  });

  it('node-name paths with and without the /model root', () => {
    for (const t of ['/model/layers.0/self_attn/q_proj/MatMul', '/layers.0/self_attn/q_proj/MatMul']) {
      assert.deepStrictEqual(peftNames([t]), ['model.layers.0.self_attn.q_proj'], t);
    }
  });

  it('dotted suffix and regexes on the PEFT name', () => {
    assert.deepStrictEqual(peftNames(['layers.1.mlp.up_proj']), ['model.layers.1.mlp.up_proj']);
    assert.deepStrictEqual(peftNames(['re:layers\\.1\\..*(q|k)_proj$']), [
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.k_proj',
    ]);
    assert.deepStrictEqual(peftNames(['/layers\\.0\\.mlp\\.(up|down)_proj$/']), ['model.layers.0.mlp.up_proj', 'model.layers.0.mlp.down_proj']);
  });

  it('unfolded weights are out_in with d_in/d_out read from [out,in]; folded are in_out', () => {
    const unfolded = resolveTargets(named(), ['model.layers.0.mlp.gate_proj.weight'])[0];
    assert.deepStrictEqual([unfolded.stored, unfolded.dIn, unfolded.dOut], ['out_in', 64, 128]);
    const folded = resolveTargets(fixtureModel('tiny-llama'), ['/layers.0/mlp/gate_proj/MatMul'])[0];
    assert.deepStrictEqual([folded.stored, folded.dIn, folded.dOut, folded.initializer], ['in_out', 64, 128, 'onnx::MatMul_434']);
  });
});

describe("resolveTargets 'all-linear'", () => {
  it('tiny-llama: the 14 projections, not lm_head; lm_head only on request', () => {
    const all = resolveTargets(fixtureModel('tiny-llama'), 'all-linear');
    assert.strictEqual(all.length, 14);
    assert.ok(!all.some((m) => m.peftName === 'lm_head'));
    const withHead = resolveTargets(fixtureModel('tiny-llama'), 'all-linear', { includeOutputHead: true });
    assert.deepStrictEqual(withHead.map((m) => m.peftName).slice(14), ['lm_head']);
  });

  it('tiny-llama-named: the tied-name lm_head (Transpose of lm_head.weight) is excluded too', () => {
    const all = resolveTargets(fixtureModel('tiny-llama-named'), ['all-linear']);
    assert.strictEqual(all.length, 14);
    assert.ok(all.every((m) => m.stored === 'out_in'));
  });

  it('bench-llama: all-linear is the fixture module map (all 28 projections, not lm_head)', () => {
    const all = resolveTargets(fixtureModel('bench-llama'), 'all-linear');
    assert.deepStrictEqual(asModuleMap(all), fixtureConfig('bench-llama').module_map);
  });

  it('tiny-bert-cls: encoder and pooler (Gemm transB=1), not the classifier', () => {
    const all = resolveTargets(fixtureModel('tiny-bert-cls'), 'all-linear');
    assert.strictEqual(all.length, 13);
    const pooler = all.find((m) => m.peftName === 'bert.pooler.dense')!;
    assert.deepStrictEqual([pooler.op, pooler.stored, pooler.initializer], ['Gemm', 'out_in', 'bert.pooler.dense.weight']);
    assert.ok(!all.some((m) => m.peftName.startsWith('classifier')));
    assert.ok(all.some((m) => m.peftName === 'bert.encoder.layer.1.attention.self.key'));
  });
});

describe('resolveTargets errors', () => {
  it('no match: lists the targets and candidate module names', () => {
    assert.throws(
      () => resolveTargets(fixtureModel('tiny-gpt2'), ['q_proj', 'v_proj']),
      (e: Error) =>
        e instanceof TargetResolutionError &&
        e.message.includes("'q_proj'") &&
        e.message.includes("'v_proj'") &&
        e.message.includes('transformer.h.0.attn.c_attn'),
    );
  });

  it('one unmatched target among matching ones is an error unless allowUnmatched', () => {
    assert.throws(() => resolveTargets(fixtureModel('tiny-gpt2'), ['c_attn', 'q_proj']), /'q_proj' matched no linear module/);
    const ok = resolveTargets(fixtureModel('tiny-gpt2'), ['c_attn', 'q_proj'], { allowUnmatched: true });
    assert.deepStrictEqual(ok.map((m) => m.peftName), ['transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn']);
  });

  it('a module map made for another export names the mismatch', () => {
    const map = { 'model.layers.0.self_attn.q_proj': { initializer: 'onnx::MatMul_999', node: '/layers.0/self_attn/q_proj/MatMul' } };
    assert.throws(() => resolveTargets(fixtureModel('tiny-llama'), map), /reads weight 'onnx::MatMul_416', not 'onnx::MatMul_999'/);
    const missing = { x: { initializer: 'w', node: '/nowhere/MatMul' } };
    assert.throws(() => resolveTargets(fixtureModel('tiny-llama'), missing), /node '\/nowhere\/MatMul' is not a MatMul\/Gemm/);
  });

  it('an invalid regex is reported as such', () => {
    assert.throws(() => resolveTargets(fixtureModel('tiny-llama'), ['re:(']), /not a valid regular expression/);
  });
});
