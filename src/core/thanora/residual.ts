// HASI step 7 and the storage layouts of a base weight in ONNX.
// 'out_in': stored [d_out, d_in] (PEFT/torch Linear, Gemm transB=1); 'in_out': stored [d_in, d_out] (MatMul X·W).
// W' = W − s·B·A, written back in the weight's own layout and float type, so that s·B·A + W' = W up to the
// rounding of W' (float32: |W|·2⁻²⁴; float64: exact to ~1e-16 relative).
import { Matrix, matmul, transpose } from '../linalg/matrix';

export type WeightLayout = 'in_out' | 'out_in';
export type StoredWeight = Float32Array | Float64Array;

function checkDims(values: StoredWeight, dims: readonly number[], where: string): void {
  if (dims.length !== 2 || dims[0] * dims[1] !== values.length) {
    throw new Error(`${where}: weight dims [${dims}] do not describe a 2-D tensor of ${values.length} values`);
  }
}

/** The stored weight as W in PEFT orientation (d_out×d_in). */
export function weightToOutIn(values: StoredWeight, dims: readonly number[], layout: WeightLayout, where = 'weight'): Matrix {
  checkDims(values, dims, where);
  const m: Matrix = { rows: dims[0], cols: dims[1], data: Float64Array.from(values) };
  return layout === 'out_in' ? m : transpose(m);
}

/** W (d_out×d_in) back to the stored layout and float type of `like`. */
export function weightFromOutIn(w: Matrix, layout: WeightLayout, like: StoredWeight): StoredWeight {
  const stored = layout === 'out_in' ? w : transpose(w);
  return like instanceof Float32Array ? Float32Array.from(stored.data) : Float64Array.from(stored.data);
}

// ΔW = s·B·A (d_out×d_in).
export function scaledDelta(b: Matrix, a: Matrix, scaling: number): Matrix {
  const d = matmul(b, a);
  for (let i = 0; i < d.data.length; i++) d.data[i] *= scaling;
  return d;
}

/** W' = W − s·B·A in the stored layout; B·A may be the task blocks only (B_c = 0 adds nothing). */
export function residualWeight(
  values: StoredWeight,
  dims: readonly number[],
  layout: WeightLayout,
  b: Matrix,
  a: Matrix,
  scaling: number,
  where = 'weight',
): StoredWeight {
  const w = weightToOutIn(values, dims, layout, where);
  if (b.rows !== w.rows || a.cols !== w.cols) {
    throw new Error(`${where}: B is ${b.rows}×${b.cols} and A is ${a.rows}×${a.cols}, but W (out×in) is ${w.rows}×${w.cols}; check the layout ('${layout}')`);
  }
  const delta = scaledDelta(b, a, scaling);
  for (let i = 0; i < w.data.length; i++) w.data[i] -= delta.data[i];
  return weightFromOutIn(w, layout, values);
}
