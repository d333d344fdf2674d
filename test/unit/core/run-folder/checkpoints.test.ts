// Checkpoint folders: written as a unit and read back exactly; the last one found from status.json or, without
// it, the newest complete one; a rewrite of the same step killed halfway never loses the checkpoint.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckpointRecord, findLastCheckpoint, lastCheckpoint, listCheckpoints, readCheckpointAdapter, readCheckpointTrainingState, writeCheckpointFolder } from '../../../../src/core/run-folder';
import { CheckpointMeta } from '../../../../src/protocol/run-events';
import { deadPid } from '../../../support/tmpfs';

function record(step: number, fill: number): CheckpointRecord {
  const module = 'model.layers.0.self_attn.q_proj';
  const meta: CheckpointMeta = {
    method: 'lora',
    tasks: ['a'],
    blocks: { [module]: { taskRanks: [2], cooperativeRank: 0 } },
    residual: false,
    baseModel: 'model.onnx',
    moduleMap: { [module]: { initializer: 'w', node: 'n', op: 'MatMul', stored: 'in_out' } },
    step,
  };
  const A = Float32Array.from({ length: 2 * 3 }, (_, i) => fill + i);
  const B = Float32Array.from({ length: 4 * 2 }, (_, i) => fill - i);
  return {
    meta,
    rank: 2,
    alpha: 4,
    targetModules: ['q_proj'],
    adapter: new Map([[module, { A: { dtype: 'F32', shape: [2, 3], data: A }, B: { dtype: 'F32', shape: [4, 2], data: B } }]]),
    task: 'causal_lm',
    modulesToSave: [],
    saved: new Map(),
    optimizer: { step, slots: { [`${module}.lora_A.weight/m`]: A, [`${module}.lora_A.weight/v`]: A } },
    trainer: { step, totalSteps: 10, rng: null, mixer: { position: step } },
  };
}

const firstA = (dir: string) => Array.from(readCheckpointAdapter(dir).adapter.tensors.values())[0].A.data[0];

describe('run folder: checkpoints', () => {
  let run: string;
  let root: string;
  beforeEach(() => {
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'thanora-ckpt-'));
    root = path.join(run, 'checkpoints');
  });
  afterEach(() => fs.rmSync(run, { recursive: true, force: true }));

  it('writes a checkpoint as one folder and reads back the adapter, optimizer and trainer state', () => {
    const dir = writeCheckpointFolder(root, record(4, 7));
    assert.strictEqual(path.basename(dir), 'step-00000004');
    assert.deepStrictEqual(fs.readdirSync(root), ['step-00000004'], 'no temp beside it');
    const adapter = readCheckpointAdapter(dir);
    assert.strictEqual(adapter.meta.step, 4);
    assert.deepStrictEqual(Array.from(adapter.adapter.tensors.values())[0].B.data, Float32Array.from({ length: 8 }, (_, i) => 7 - i));
    const state = readCheckpointTrainingState(dir);
    assert.deepStrictEqual(state.trainer, { step: 4, totalSteps: 10, rng: null, mixer: { position: 4 } });
    assert.strictEqual(state.optimizer.step, 4);
  });

  it('the last checkpoint is the one status.json names, else the newest complete one', () => {
    writeCheckpointFolder(root, record(2, 1));
    writeCheckpointFolder(root, record(10, 1));
    fs.mkdirSync(path.join(root, 'step-00000012'));
    assert.strictEqual(path.basename(lastCheckpoint(run)!), 'step-00000010', 'an incomplete folder is not a checkpoint');
    fs.writeFileSync(path.join(run, 'status.json'), JSON.stringify({ state: 'stopped', lastCheckpoint: 'checkpoints/step-00000002' }));
    assert.strictEqual(path.basename(lastCheckpoint(run)!), 'step-00000002');
    assert.deepStrictEqual(listCheckpoints(run).map((d) => path.basename(d)), ['step-00000002', 'step-00000010']);
    // A named checkpoint deleted by hand: the newest complete one is taken, and the caller is told.
    fs.writeFileSync(path.join(run, 'status.json'), JSON.stringify({ state: 'stopped', lastCheckpoint: 'checkpoints/step-00000008' }));
    assert.deepStrictEqual(findLastCheckpoint(run), {
      dir: path.join(root, 'step-00000010'),
      note: `status.json names checkpoints/step-00000008, which is missing; using ${path.join('checkpoints', 'step-00000010')}, the newest complete checkpoint`,
    });
  });

  it('a rewrite of the same step replaces it whole', () => {
    writeCheckpointFolder(root, record(4, 1));
    writeCheckpointFolder(root, record(4, 50));
    assert.strictEqual(firstA(path.join(root, 'step-00000004')), 50);
    assert.deepStrictEqual(fs.readdirSync(root), ['step-00000004']);
  });

  it('a rewrite killed between its renames leaves the old checkpoint, found under its name', () => {
    const dir = writeCheckpointFolder(root, record(4, 1));
    fs.writeFileSync(path.join(run, 'status.json'), JSON.stringify({ state: 'running', lastCheckpoint: 'checkpoints/step-00000004' }));
    // What a process killed after moving the old folder aside (and before renaming the new one in) leaves.
    const pid = deadPid();
    fs.renameSync(dir, `${dir}.old-${pid}-a`);
    writeCheckpointFolder(path.join(run, 'scratch'), record(4, 50));
    fs.renameSync(path.join(run, 'scratch/step-00000004'), `${dir}.tmp-${pid}-b`);
    assert.strictEqual(lastCheckpoint(run), dir);
    assert.strictEqual(firstA(dir), 1);
    assert.deepStrictEqual(fs.readdirSync(root), ['step-00000004']);
  });
});
