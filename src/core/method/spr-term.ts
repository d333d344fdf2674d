// SPR (design §2) as an ExtraLossTerm of the training graph: L = L_task + λ·L_SPR, with L_SPR built by
// thanora/spr-graph.ts over the injected adapters' A/B graph inputs, so its gradient comes out of the same
// backward graph as the task loss. No term is returned when SPR cannot or should not act:
//   - a method without task blocks (method-registry.ts: the baselines);
//   - λ = 0: the "no SPR" ablation trains without the term (and without its cost), and StepEvent.sprLoss is null;
//   - fewer than two tasks: there is no pair to keep apart.
import { InjectedAdapter } from '../lora/inject-lora';
import { MethodConfig } from '../experiment/experiment-config';
import { ModelProto } from '../onnx/types';
import { BlockMap, taskBlocksOf } from '../thanora/block-map';
import { SprGraphModule, appendSprLoss } from '../thanora/spr-graph';
import { ExtraLossTerm } from '../train/lora-training-graph';
import { hasTaskBlocks } from './method-registry';

export const sprTermName = 'spr';

// appendSprLoss slices rows [0, Σ r_t) of A and the same columns of B as the task blocks in task order.
function checkTaskBlocksFirst(module: string, map: BlockMap): void {
  let offset = 0;
  taskBlocksOf(map).forEach((blk, t) => {
    if (blk.task !== t || blk.offset !== offset) {
      throw new Error(`SPR: module '${module}': task block ${t} sits at offset ${blk.offset} (task ${blk.task}); SPR needs the task blocks first, contiguous and in task order`);
    }
    offset += blk.rank;
  });
}

export function sprLossTerm(method: Pick<MethodConfig, 'name' | 'lambda' | 'sprSides'>, blockMaps: ReadonlyMap<string, BlockMap>): ExtraLossTerm | undefined {
  if (!hasTaskBlocks(method.name) || method.lambda === 0) return undefined;
  if (!(method.lambda > 0)) throw new Error(`SPR: method.lambda must be ≥ 0, got ${method.lambda}`);
  const hasPairs = [...blockMaps.values()].some((m) => taskBlocksOf(m).length >= 2);
  if (!hasPairs) return undefined;
  for (const [name, map] of blockMaps) checkTaskBlocksFirst(name, map);
  return {
    name: sprTermName,
    weight: method.lambda,
    append(model: ModelProto, adapters: readonly InjectedAdapter[]) {
      const modules: SprGraphModule[] = adapters.map((a) => {
        const blocks = blockMaps.get(a.peftName);
        if (!blocks) throw new Error(`SPR: adapter '${a.peftName}' has no block map; initialize the method on the same target modules`);
        if (blocks.rank !== a.rank) throw new Error(`SPR: module '${a.peftName}' was injected with rank ${a.rank} but its blocks cover ${blocks.rank}; inject with rank r`);
        return { name: a.peftName, aInput: a.aInput, bInput: a.bInput, blocks };
      });
      const graph = appendSprLoss(model, modules, { sides: method.sprSides, dtype: adapters[0]?.dtype, output: `${sprTermName}/loss` });
      return { model: graph.model, output: graph.loss };
    },
  };
}
