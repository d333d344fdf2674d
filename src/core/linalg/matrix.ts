// Dense real matrices, row-major Float64Array: element (i, j) lives at data[i·cols + j].
// Small helpers only; the heavy products of large modules go through a MatmulFn (see randomized-svd.ts).

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Wraps (a copy of) row-major values; `where` names the caller for the error message. */
export function fromValues(rows: number, cols: number, values: ArrayLike<number>, where = 'fromValues'): Matrix {
  if (values.length !== rows * cols) {
    throw new ShapeError(`${where}: ${values.length} values for a ${rows}×${cols} matrix (need ${rows * cols})`);
  }
  return { rows, cols, data: Float64Array.from(values) };
}

export function fromRows(rows: number[][]): Matrix {
  const cols = rows[0]?.length ?? 0;
  return fromValues(rows.length, cols, rows.flat(), 'fromRows');
}

export function clone(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: Float64Array.from(m.data) };
}

export function get(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

export function transpose(m: Matrix): Matrix {
  const t = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  return t;
}

// C = A·B  (m×k)·(k×n); i-k-j loop order keeps the inner loop on contiguous rows.
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new ShapeError(`matmul: inner dims differ, A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const c = zeros(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const ci = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c.data[ci + j] += aik * b.data[bk + j];
    }
  }
  return c;
}

// C = Aᵀ·B without forming Aᵀ  (A: k×m, B: k×n → m×n).
export function matmulTransposeA(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new ShapeError(`matmulTransposeA: row counts differ, A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const c = zeros(a.cols, b.cols);
  const n = b.cols;
  for (let k = 0; k < a.rows; k++) {
    const bk = k * n;
    for (let i = 0; i < a.cols; i++) {
      const aki = a.data[k * a.cols + i];
      if (aki === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) c.data[ci + j] += aki * b.data[bk + j];
    }
  }
  return c;
}

// C = A·Bᵀ  (A: m×k, B: n×k → m×n); both inner reads are contiguous rows.
export function matmulTransposeB(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new ShapeError(`matmulTransposeB: column counts differ, A is ${a.rows}×${a.cols}, B is ${b.rows}×${b.cols}`);
  const c = zeros(a.rows, b.rows);
  const k = a.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[j * k + p];
      c.data[i * b.rows + j] = s;
    }
  }
  return c;
}

function sameShape(a: Matrix, b: Matrix, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeError(`${op}: shapes differ, ${a.rows}×${a.cols} vs ${b.rows}×${b.cols}`);
}

export function add(a: Matrix, b: Matrix): Matrix {
  sameShape(a, b, 'add');
  const c = clone(a);
  for (let i = 0; i < c.data.length; i++) c.data[i] += b.data[i];
  return c;
}

export function subtract(a: Matrix, b: Matrix): Matrix {
  sameShape(a, b, 'subtract');
  const c = clone(a);
  for (let i = 0; i < c.data.length; i++) c.data[i] -= b.data[i];
  return c;
}

export function scale(a: Matrix, factor: number): Matrix {
  const c = clone(a);
  for (let i = 0; i < c.data.length; i++) c.data[i] *= factor;
  return c;
}

export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (const v of a.data) s += v * v;
  return Math.sqrt(s);
}

export function maxAbsDifference(a: Matrix, b: Matrix): number {
  sameShape(a, b, 'maxAbsDifference');
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** Rows [start, end) as a new matrix. */
export function sliceRows(m: Matrix, start: number, end: number): Matrix {
  return { rows: end - start, cols: m.cols, data: m.data.slice(start * m.cols, end * m.cols) };
}

/** Columns [start, end) as a new matrix. */
export function sliceCols(m: Matrix, start: number, end: number): Matrix {
  const w = end - start;
  const out = zeros(m.rows, w);
  for (let i = 0; i < m.rows; i++) out.data.set(m.data.subarray(i * m.cols + start, i * m.cols + end), i * w);
  return out;
}

/** Writes `block` into `target` with its top-left corner at (row, col). */
export function setBlock(target: Matrix, row: number, col: number, block: Matrix): void {
  if (row + block.rows > target.rows || col + block.cols > target.cols) {
    throw new ShapeError(`setBlock: a ${block.rows}×${block.cols} block at (${row}, ${col}) overflows a ${target.rows}×${target.cols} matrix`);
  }
  for (let i = 0; i < block.rows; i++) target.data.set(block.data.subarray(i * block.cols, (i + 1) * block.cols), (row + i) * target.cols + col);
}

/** M·diag(d): scales column j by d[j]. */
export function scaleColumns(m: Matrix, d: ArrayLike<number>): Matrix {
  const c = clone(m);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) c.data[i * m.cols + j] *= d[j];
  return c;
}

/** diag(d)·M: scales row i by d[i]. */
export function scaleRows(m: Matrix, d: ArrayLike<number>): Matrix {
  const c = clone(m);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) c.data[i * m.cols + j] *= d[i];
  return c;
}

export function meanDiagonal(m: Matrix): number {
  const n = Math.min(m.rows, m.cols);
  let s = 0;
  for (let i = 0; i < n; i++) s += m.data[i * m.cols + i];
  return s / n;
}
