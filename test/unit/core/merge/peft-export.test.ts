// The PEFT config of an export, from a merge plan: r and lora_alpha the most common rank and alpha, rank_pattern /
// alpha_pattern only for the modules that differ (so PEFT builds each module with its own rank and scale
// alpha/r), target_modules the full names of exactly the adapted modules, modules_to_save the saved modules.
import * as assert from 'assert';
import { ResolvedModule } from '../../../../src/core/lora/linear-modules';
import { SavedTensor } from '../../../../src/core/lora/modules-to-save';
import { MergePlan } from '../../../../src/core/merge/merge-plan';
import { peftModulesToSaveEntries } from '../../../../src/core/io/peft-adapter';
import { peftExportOf } from '../../../../src/core/merge/peft-export';
import { DataType } from '../../../../src/core/onnx/types';
import type { CheckpointMeta } from '../../../../src/protocol/run-events';

function module(peftName: string, dIn = 4, dOut = 3): ResolvedModule {
  return { peftName, node: peftName, output: `${peftName}/y`, op: 'MatMul', initializer: `${peftName}.w`, stored: 'in_out', dIn, dOut, dtype: DataType.FLOAT };
}

function term(rank: number, scale: number, dIn = 4, dOut = 3) {
  return { A: new Float32Array(rank * dIn).fill(1), B: new Float32Array(dOut * rank).fill(2), rank, scale };
}

const meta: CheckpointMeta = { method: 'lora', tasks: ['a'], blocks: {}, residual: false, baseModel: 'model.onnx', moduleMap: {}, step: 3 };

describe('PEFT export config', () => {
  const names = ['model.layers.0.q_proj', 'model.layers.0.v_proj', 'model.layers.1.q_proj'];
  const head: SavedTensor = {
    key: 'base_model.model.score.weight', module: 'score', param: 'weight', input: 'score.weight', initializer: 'score.weight', shape: [2, 4], transposed: false, dataType: DataType.FLOAT, values: new Float32Array(8).fill(0.5),
  };
  const plan: MergePlan = {
    modules: [
      { module: module(names[0]), trained: term(2, 2) },
      { module: module(names[1]), trained: term(2, 2) },
      { module: module(names[2]), trained: term(3, 1) },
    ],
    head: 'sequence_classification',
    rank: {},
    alpha: {},
    saved: [head],
  };

  it('r, lora_alpha and patterns for the differing module only; exact targets; the saved head', () => {
    const { config, tensors, modulesToSave } = peftExportOf(plan, { r: 2, lora_alpha: 4, target_modules: ['q_proj', 'v_proj'], task: 'sequence_classification' }, meta);
    assert.strictEqual(config.r, 2);
    assert.strictEqual(config.lora_alpha, 4);
    // alpha' = s·r: 2·2 = 4 for the rank-2 modules, 1·3 = 3 for the rank-3 one.
    assert.deepStrictEqual(config.rank_pattern, { 'model.layers.1.q_proj': 3 });
    assert.deepStrictEqual(config.alpha_pattern, { 'model.layers.1.q_proj': 3 });
    assert.deepStrictEqual(config.target_modules, [...names].sort());
    assert.strictEqual(config.task_type, 'SEQ_CLS');
    assert.deepStrictEqual(config.modules_to_save, ['score']);
    assert.deepStrictEqual([...tensors.keys()], names);
    assert.deepStrictEqual(modulesToSave.get('score.weight')!.shape, [2, 4]);
  });

  it('uniform ranks write empty patterns, and no modules_to_save without saved modules', () => {
    const uniform: MergePlan = { ...plan, modules: plan.modules.slice(0, 2), saved: [] };
    const { config } = peftExportOf(uniform, { r: 2, lora_alpha: 4, target_modules: ['q_proj'], task: 'causal_lm' }, meta);
    assert.deepStrictEqual([config.r, config.lora_alpha, config.rank_pattern, config.alpha_pattern, config.modules_to_save, config.task_type], [2, 4, {}, {}, null, 'CAUSAL_LM']);
  });

  it('modules_to_save entries: under SEQ_CLS a saved module inside the head is listed as the head, as PEFT wraps it', () => {
    assert.deepStrictEqual(peftModulesToSaveEntries(['classifier.out_proj', 'classifier.dense'], 'SEQ_CLS'), ['classifier']);
    assert.deepStrictEqual(peftModulesToSaveEntries(['score', 'bert.pooler.dense'], 'SEQ_CLS'), ['bert.pooler.dense', 'score']);
    assert.deepStrictEqual(peftModulesToSaveEntries(['classifier.out_proj'], 'CAUSAL_LM'), ['classifier.out_proj']);
  });
});
