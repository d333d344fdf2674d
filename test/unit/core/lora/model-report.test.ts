import * as assert from 'assert';
import * as path from 'path';
import { gradientRules } from '../../../../src/core/autodiff/rules';
import { formatModelReport } from '../../../../src/core/lora/format-model-report';
import { describeModel } from '../../../../src/core/lora/model-report';
import { makeNode } from '../../../../src/core/onnx/attributes';
import { readModelFile } from '../../../../src/core/onnx/model-file';
import { makeTensor } from '../../../../src/core/onnx/tensor-data';
import { DataType, ModelProto } from '../../../../src/core/onnx/types';

const fixtureModel = (name: string) => readModelFile(path.join(__dirname, '../../../../../test/fixtures', name, 'model.onnx'));

describe('describeModel on tiny-llama', () => {
  const model = fixtureModel('tiny-llama');
  const report = describeModel(model, ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'], { rank: 4 });

  it('interface, opsets and op histogram', () => {
    assert.deepStrictEqual(report.inputs.map((v) => [v.name, v.dtype, v.shape]), [
      ['input_ids', 'INT64', ['batch', 'seq']],
      ['attention_mask', 'INT64', ['batch', 'seq']],
    ]);
    assert.deepStrictEqual(report.outputs.map((v) => [v.name, v.dtype, v.shape]), [['logits', 'FLOAT', ['batch', 'seq', 96]]]);
    assert.deepStrictEqual(report.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.strictEqual(report.opHistogram.reduce((s, h) => s + h.count, 0), report.nodeCount);
    assert.strictEqual(report.opHistogram.find((h) => h.op === 'MatMul')!.count, model.graph.nodes.filter((n) => n.opType === 'MatMul').length);
  });

  it('linear modules and parameter counts (hand-derived for d=64, ffn=128, vocab=96, 2 layers, r=4)', () => {
    assert.strictEqual(report.linearModules.count, 15);
    assert.deepStrictEqual(report.linearModules.shortNames.find((s) => s.name === 'q_proj'), { name: 'q_proj', count: 2 });
    // Per layer: 4 attention projections 64·64 and 3 MLP projections 64·128.
    assert.strictEqual(report.targets!.baseParams, 2 * (4 * 64 * 64 + 3 * 64 * 128));
    // r·(d_in + d_out) summed: per layer 4·(64+64) + 3·(64+128), times r = 4.
    assert.strictEqual(report.targets!.loraParams, 4 * 2 * (4 * 128 + 3 * 192));
    const gate = report.targets!.modules.find((m) => m.peftName === 'model.layers.1.mlp.gate_proj')!;
    assert.deepStrictEqual([gate.dIn, gate.dOut, gate.baseParams, gate.loraParams, gate.dtypeName], [64, 128, 8192, 768, 'FLOAT']);
    // Embedding 96·64, 14 projections, one shared RMSNorm weight 64, lm_head 64·96, plus any float constants.
    assert.ok(report.parameterCount >= 96 * 64 + 81920 + 64 + 64 * 96);
  });

  it('gradient path: float ops from the adapters to the logits, each with its registry status', () => {
    const gp = report.gradientPath!;
    const ops = new Map(gp.ops.map((o) => [o.op, o]));
    for (const op of ['MatMul', 'Transpose', 'Mul', 'Add', 'Softmax']) assert.ok(ops.has(op), op);
    for (const op of ['Shape', 'Equal', 'Range', 'ConstantOfShape']) assert.ok(!ops.has(op), op);
    for (const o of gp.ops) assert.strictEqual(o.status === 'rule', gradientRules.has(o.op), o.op);
    assert.deepStrictEqual(gp.missing, gp.ops.filter((o) => !gradientRules.has(o.op) && o.status === 'missing').map((o) => o.op));
    assert.strictEqual(ops.get('MatMul')!.exampleNode, 'model.layers.0.self_attn.q_proj.lora/MatMul_A');
  });

  it('without targets: no target or gradient sections', () => {
    const plain = describeModel(model);
    assert.strictEqual(plain.targets, undefined);
    assert.strictEqual(plain.gradientPath, undefined);
    assert.ok(!formatModelReport(plain).includes('Gradient path'));
  });
});

describe('describeModel gradient path on a synthetic graph', () => {
  // y = MatMul(x, W); s = Shape(y) (int64, off the path); z = Reshape(y, s); o = MysteryOp(z) (no rule).
  const model: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }, { domain: 'test.domain', version: 1 }],
    graph: {
      name: 'g',
      nodes: [
        makeNode('MatMul', ['x', 'W'], ['y'], '/proj/MatMul'),
        makeNode('Shape', ['y'], ['s'], '/Shape'),
        makeNode('Reshape', ['y', 's'], ['z'], '/Reshape'),
        makeNode('MysteryOp', ['z'], ['o'], '/Mystery', {}, 'test.domain'),
      ],
      initializers: [makeTensor('W', [3, 4], DataType.FLOAT, new Array(12).fill(0.5))],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [{ param: 'n' }, { value: 3 }] }],
      outputs: [{ name: 'o', elemType: DataType.FLOAT }],
      valueInfo: [],
    },
    metadata: [],
  };

  it('skips the int64 Shape branch and reports the op without a rule', () => {
    const report = describeModel(model, ['proj'], { rank: 2 });
    const gp = report.gradientPath!;
    assert.ok(!gp.ops.some((o) => o.op === 'Shape'));
    assert.ok(gp.ops.some((o) => o.op === 'Reshape'));
    assert.deepStrictEqual(gp.ops.find((o) => o.op === 'MysteryOp'), { op: 'MysteryOp', count: 1, status: 'missing', exampleNode: '/Mystery' });
    assert.ok(gp.missing.includes('MysteryOp'));
    assert.deepStrictEqual(report.targets!.modules.map((m) => [m.peftName, m.loraParams]), [['proj', 2 * (3 + 4)]]);
    assert.deepStrictEqual(report.opHistogram.find((h) => h.op === 'test.domain.MysteryOp'), { op: 'test.domain.MysteryOp', count: 1 });
  });

  it('formats as text naming the targets and the missing rule', () => {
    const text = formatModelReport(describeModel(model, ['proj'], { rank: 2 }));
    assert.match(text, /^Inputs:\n {2}x {2}FLOAT \[n, 3\]$/m);
    assert.match(text, /Targets: 1 modules, base 12 params, LoRA 14 params/);
    assert.match(text, /proj {2}MatMul '\/proj\/MatMul' {2}\[3 → 4\] in_out FLOAT {2}r=2/);
    assert.match(text, /Missing gradient rules: .*MysteryOp/);
  });
});
