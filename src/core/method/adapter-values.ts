// From a module's initial A, B (float64) to what training and export need: the float32 graph-input values,
// the subtracted blocks A₀, B₀ and the residual W' = W − s·B₀·A₀. The residual is computed from the
// float32-rounded A₀, B₀ that the adapter will actually hold, so W' + s·B·A reproduces W up to W's own rounding.
import { Matrix, matmul, sliceCols, sliceRows } from '../linalg/matrix';
import { loraInputNames } from '../lora/peft-names';
import { BlockMap } from '../thanora/block-map';

/** Blocks subtracted from W at init: HASI's task blocks and the baselines' principal block. */
export function isSubtracted(kind: string): boolean {
  return kind === 'task' || kind === 'principal';
}

export function roundToFloat32(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(Float32Array.from(m.data)) };
}

/** A₀ [r, d_in] and B₀ [d_out, r]: the subtracted blocks of A and B, every other row/column zero. */
export function subtractedBlocks(a: Matrix, b: Matrix, blocks: BlockMap): { a0: Matrix; b0: Matrix } {
  const a0: Matrix = { rows: a.rows, cols: a.cols, data: new Float64Array(a.data.length) };
  const b0: Matrix = { rows: b.rows, cols: b.cols, data: new Float64Array(b.data.length) };
  for (const blk of blocks.blocks.filter((x) => isSubtracted(x.kind))) {
    a0.data.set(a.data.subarray(blk.offset * a.cols, (blk.offset + blk.rank) * a.cols), blk.offset * a.cols);
    for (let i = 0; i < b.rows; i++) {
      for (let j = blk.offset; j < blk.offset + blk.rank; j++) b0.data[i * b.cols + j] = b.data[i * b.cols + j];
    }
  }
  return { a0, b0 };
}

// W' = W − s·Σ_blocks B_k·A_k over the subtracted blocks only (d_out×r_k by r_k×d_in each).
export function residualOf(w: Matrix, a0: Matrix, b0: Matrix, blocks: BlockMap, scaling: number): Matrix {
  const out: Matrix = { rows: w.rows, cols: w.cols, data: Float64Array.from(w.data) };
  for (const blk of blocks.blocks.filter((x) => isSubtracted(x.kind))) {
    const delta = matmul(sliceCols(b0, blk.offset, blk.offset + blk.rank), sliceRows(a0, blk.offset, blk.offset + blk.rank));
    for (let i = 0; i < out.data.length; i++) out.data[i] -= scaling * delta.data[i];
  }
  return out;
}

/** Puts A and B under their graph-input names (`<module>.lora_A.weight`, `<module>.lora_B.weight`). */
export function setAdapterValues(target: Map<string, Float32Array>, peftName: string, a: Matrix, b: Matrix): void {
  const { aInput, bInput } = loraInputNames(peftName);
  target.set(aInput, Float32Array.from(a.data));
  target.set(bInput, Float32Array.from(b.data));
}

/** A and B of a module back from graph-input values, as float64 matrices. */
export function adapterMatrices(values: ReadonlyMap<string, Float32Array>, peftName: string, rank: number, dIn: number, dOut: number): { a: Matrix; b: Matrix } {
  const { aInput, bInput } = loraInputNames(peftName);
  const read = (name: string, rows: number, cols: number): Matrix => {
    const data = values.get(name);
    if (!data) throw new Error(`no value for adapter tensor '${name}'`);
    if (data.length !== rows * cols) throw new Error(`adapter tensor '${name}' has ${data.length} values; [${rows}, ${cols}] needs ${rows * cols}`);
    return { rows, cols, data: Float64Array.from(data) };
  };
  return { a: read(aInput, rank, dIn), b: read(bInput, dOut, rank) };
}
