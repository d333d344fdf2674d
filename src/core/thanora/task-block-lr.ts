// The task blocks' learning rate relative to the cooperative block (method.taskLrScale = k): per-element
// multipliers of training.lr for AdamW, k on the task blocks' rows of A [r, d_in] and columns of B [d_out, r]
// (row-major, as the adapter values hold them), 1 on the cooperative block. It is the update that the blocks
// would get as separate PyTorch parameter groups with lr·k and lr.
import { loraInputNames } from '../lora/peft-names';
import { MethodName, hasTaskBlocks } from '../method/method-registry';
import { BlockMap, taskBlocksOf } from './block-map';

export interface AdaptedModuleShape {
  peftName: string;
  dIn: number;
  dOut: number;
}

export function taskBlockLrScales(modules: readonly AdaptedModuleShape[], blockMaps: ReadonlyMap<string, BlockMap>, k: number): Map<string, Float32Array> {
  if (!(k > 0) || !Number.isFinite(k)) throw new RangeError(`taskBlockLrScales: the scale must be finite and > 0, got ${k}`);
  const scales = new Map<string, Float32Array>();
  for (const m of modules) {
    const map = blockMaps.get(m.peftName);
    if (!map) throw new Error(`taskBlockLrScales: module '${m.peftName}' has no block map`);
    const { aInput, bInput } = loraInputNames(m.peftName);
    const a = new Float32Array(map.rank * m.dIn).fill(1);
    const b = new Float32Array(m.dOut * map.rank).fill(1);
    for (const block of taskBlocksOf(map)) {
      a.fill(k, block.offset * m.dIn, (block.offset + block.rank) * m.dIn);
      for (let i = 0; i < m.dOut; i++) b.fill(k, i * map.rank + block.offset, i * map.rank + block.offset + block.rank);
    }
    scales.set(aInput, a);
    scales.set(bInput, b);
  }
  return scales;
}

/** AdamW's lrScales for a run: none when the method has no task blocks or k = 1 (one learning rate). */
export function optimizerLrScales(method: MethodName, k: number, modules: readonly AdaptedModuleShape[], blockMaps: ReadonlyMap<string, BlockMap>): Map<string, Float32Array> | undefined {
  return hasTaskBlocks(method) && k !== 1 ? taskBlockLrScales(modules, blockMaps, k) : undefined;
}
