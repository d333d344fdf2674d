// Where each block sits inside one LoRA of rank r: A = [A_1; …; A_T; A_c] (rows), B = [B_1 … B_T B_c] (columns).
export type BlockKind = 'task' | 'cooperative' | 'principal';

export interface RankBlock {
  kind: BlockKind;
  /** Task index for kind 'task'. */
  task?: number;
  /** First row of A / column of B. */
  offset: number;
  rank: number;
}

export interface BlockMap {
  rank: number;
  blocks: RankBlock[];
}

export function blockMapFor(taskRanks: readonly number[], cooperativeRank: number): BlockMap {
  const blocks: RankBlock[] = [];
  let offset = 0;
  taskRanks.forEach((rank, task) => {
    blocks.push({ kind: 'task', task, offset, rank });
    offset += rank;
  });
  if (cooperativeRank > 0) blocks.push({ kind: 'cooperative', offset, rank: cooperativeRank });
  return { rank: offset + cooperativeRank, blocks };
}

export function taskBlocksOf(map: BlockMap): RankBlock[] {
  return map.blocks.filter((b) => b.kind === 'task');
}
