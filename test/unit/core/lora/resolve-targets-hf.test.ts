// Target resolution on real exports of transformers models by torch 2.13 (test/fixtures/hf, both exporters).
// The oracle is each fixture's module_map.json, written by make_hf_fixtures.py from the PEFT model itself
// (PEFT module name → the ONNX node and weight initializer that module became).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { TargetResolutionError, resolveTargets } from '../../../../src/core/lora/resolve-targets';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { ModelProto, NodeProto } from '../../../../src/core/onnx/types';

const hfDir = path.join(__dirname, '../../../../../test/fixtures/hf');
const fixtures = fs.readdirSync(hfDir).filter((d) => d.startsWith('hf-'));

function asModuleMap(modules: ResolvedModule[]): Record<string, { initializer: string; node: string; op: string; stored: string }> {
  return Object.fromEntries(modules.map((m) => [m.peftName, { initializer: m.initializer, node: m.node, op: m.op, stored: m.stored }]));
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('resolveTargets on real transformers exports (dynamo and TorchScript)', function () {
  this.timeout(60000);
  it('finds both exporters of several architectures', () => {
    assert.ok(fixtures.filter((f) => f.endsWith('-dynamo')).length >= 5, fixtures.join(','));
    assert.ok(fixtures.filter((f) => f.endsWith('-ts')).length >= 5, fixtures.join(','));
  });

  for (const name of fixtures) {
    it(`${name}: PEFT's target_modules resolve to exactly the modules PEFT adapted`, () => {
      const dir = path.join(hfDir, name);
      const config = readJson(path.join(dir, 'adapter_config.json'));
      const expected = readJson(path.join(dir, 'module_map.json')).module_map;
      const resolved = resolveTargets(readModelFile(path.join(dir, 'model.onnx')), config.target_modules);
      assert.deepStrictEqual(asModuleMap(resolved), expected);
    });
  }

  it('dynamo and TorchScript exports of one model give the same PEFT names for all-linear', () => {
    for (const arch of ['llama', 'qwen2', 'mistral', 'phi3', 'gpt2', 'bert-cls']) {
      const names = (exporter: string) =>
        resolveTargets(readModelFile(path.join(hfDir, `hf-${arch}-${exporter}/model.onnx`)), 'all-linear').map((m) => m.peftName).sort();
      assert.deepStrictEqual(names('dynamo'), names('ts'), arch);
    }
  });
});

// A copy of `model` where every Add that reads one of `biases` reads `into` instead: what the exporter makes
// of equal (e.g. zero) biases, which it stores once.
function shareBiases(model: ModelProto, biases: string[], into: string): ModelProto {
  const rename = (n: NodeProto): NodeProto => ({ ...n, inputs: n.inputs.map((i) => (biases.includes(i) ? into : i)) });
  return { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map(rename) } };
}

describe('resolveTargets: constants shared by several modules name none of them', () => {
  const bert = () => readModelFile(path.join(hfDir, 'hf-bert-cls-ts/model.onnx'));
  const self = 'bert.encoder.layer.0.attention.self';

  it('query and key reading one bias initializer keep their own names (from their node paths)', () => {
    const model = shareBiases(bert(), [`${self}.key.bias`], `${self}.query.bias`);
    const names = resolveTargets(model, ['query', 'key']).map((m) => m.peftName);
    assert.ok(names.includes(`${self}.query`) && names.includes(`${self}.key`), names.join(', '));
  });

  it('a bias shared with a LayerNorm is not taken as the module name', () => {
    const model = bert();
    const norm = model.graph.nodes.find((n) => n.opType === 'LayerNormalization')!;
    const shared = shareBiases(model, [`${self}.value.bias`], norm.inputs[2]);
    const names = resolveTargets(shared, ['value']).map((m) => m.peftName);
    assert.ok(names.includes(`${self}.value`), names.join(', '));
  });

  it('one named weight read by two linear nodes (a module called twice) is a clear error naming both nodes', () => {
    const gpt2 = readModelFile(path.join(hfDir, 'hf-gpt2-ts/model.onnx'));
    const proj = gpt2.graph.nodes.find((n) => n.name === '/transformer/h.0/attn/c_proj/Gemm')!;
    const again: NodeProto = { ...proj, name: '/again/Gemm', outputs: ['again_output'] };
    const model = { ...gpt2, graph: { ...gpt2.graph, nodes: [...gpt2.graph.nodes, again] } };
    assert.throws(
      () => resolveTargets(model, 'all-linear'),
      (e: Error) =>
        e instanceof TargetResolutionError &&
        e.message.includes(`'${proj.name}'`) &&
        e.message.includes("'/again/Gemm'") &&
        e.message.includes("PEFT name 'transformer.h.0.attn.c_proj'") &&
        /module map/.test(e.message),
    );
  });
});
