// Diagnostics of §5: principal angles between the task blocks of a module, in degrees.
// A side: span(A_iᵀ) vs span(A_jᵀ) (the rows of A_i, in R^{d_in}); B side: span(B_i) vs span(B_j) (columns, in R^{d_out}).
// 90° everywhere = the tasks' subspaces are orthogonal; small angles = they overlap (what SPR penalizes).
import { Matrix, matmul, matmulTransposeB, sliceCols, sliceRows, transpose } from '../linalg/matrix';
import { qr } from '../linalg/qr';
import { effectiveRank, principalAngles } from '../linalg/subspaces';
import { BlockMap, taskBlocksOf } from './block-map';

export interface PairAngles {
  taskI: number;
  taskJ: number;
  side: 'A' | 'B';
  meanDegrees: number;
  minDegrees: number;
}

export interface ModuleAngles {
  pairs: PairAngles[];
  /** Means over pairs of the per-pair mean and min (NaN when the module has fewer than two tasks). */
  meanDegreesA: number;
  minDegreesA: number;
  meanDegreesB: number;
  minDegreesB: number;
}

const toDegrees = (rad: number) => (rad * 180) / Math.PI;

function pairAngles(x: Matrix, y: Matrix, taskI: number, taskJ: number, side: 'A' | 'B'): PairAngles {
  const angles = principalAngles(x, y);
  // A zero block (e.g. B at step 0 for a LoRA init) spans nothing: no angle to report.
  if (angles.length === 0) return { taskI, taskJ, side, meanDegrees: NaN, minDegrees: NaN };
  let sum = 0;
  let min = Infinity;
  for (const a of angles) {
    sum += a;
    min = Math.min(min, a);
  }
  return { taskI, taskJ, side, meanDegrees: toDegrees(sum / angles.length), minDegrees: toDegrees(min) };
}

function mean(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN;
}

/** A: r×d_in, B: d_out×r. */
export function moduleSubspaceAngles(a: Matrix, b: Matrix, blocks: BlockMap): ModuleAngles {
  const tasks = taskBlocksOf(blocks);
  const pairs: PairAngles[] = [];
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const ti = tasks[i];
      const tj = tasks[j];
      const rowsI = transpose(sliceRows(a, ti.offset, ti.offset + ti.rank));
      const rowsJ = transpose(sliceRows(a, tj.offset, tj.offset + tj.rank));
      pairs.push(pairAngles(rowsI, rowsJ, ti.task!, tj.task!, 'A'));
      pairs.push(pairAngles(sliceCols(b, ti.offset, ti.offset + ti.rank), sliceCols(b, tj.offset, tj.offset + tj.rank), ti.task!, tj.task!, 'B'));
    }
  }
  const of = (side: 'A' | 'B', key: 'meanDegrees' | 'minDegrees') => mean(pairs.filter((p) => p.side === side).map((p) => p[key]));
  return {
    pairs,
    meanDegreesA: of('A', 'meanDegrees'),
    minDegreesA: of('A', 'minDegrees'),
    meanDegreesB: of('B', 'meanDegrees'),
    minDegreesB: of('B', 'minDegrees'),
  };
}

export interface BlockEffectiveRanks {
  /** Roy–Vetterli effective rank of B_k·A_k per block, in block-map order. */
  blocks: number[];
  /** …and of the whole ΔW ∝ B·A. */
  delta: number;
}

// B_k = Q_B·R_B, A_kᵀ = Q_A·R_A ⇒ B_k·A_k = Q_B·(R_B·R_Aᵀ)·Q_Aᵀ: its singular values are those of the
// small r_k×r_k matrix R_B·R_Aᵀ, so d_out×d_in is never formed.
function productSpectrumRank(b: Matrix, a: Matrix): number {
  if (b.cols === 0 || b.rows < b.cols || a.cols < a.rows) return effectiveRank(matmul(b, a));
  return effectiveRank(matmulTransposeB(qr(b).r, qr(transpose(a)).r));
}

export function blockEffectiveRanks(a: Matrix, b: Matrix, blocks: BlockMap): BlockEffectiveRanks {
  const erank = (start: number, end: number) => productSpectrumRank(sliceCols(b, start, end), sliceRows(a, start, end));
  return { blocks: blocks.blocks.map((blk) => erank(blk.offset, blk.offset + blk.rank)), delta: erank(0, blocks.rank) };
}
