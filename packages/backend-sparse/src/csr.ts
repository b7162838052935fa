import type { FloatArray } from '@tconv/core';
import { describeValue, LimitError, ShapeError } from '@tconv/core';
import { MAX_DENSE_CELLS } from './limits';

/** A sparse matrix in compressed sparse row (CSR) form. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly nnz: number;
  /** The transpose, as a new CSR matrix, built in O(nnz). */
  transpose(): SparseMatrix;
  /** `A·v`, in the matrix's float type. */
  multiply(vector: FloatArray): FloatArray;
  /** The matrix as nested arrays, for printing; refuses more than {@link MAX_DENSE_CELLS} cells. */
  toDense(): number[][];
}

/** The arrays behind a CSR matrix: row `r` holds `values[rowStart[r] .. rowStart[r+1])` at `columns[…]`. */
export interface CsrArrays {
  readonly rows: number;
  readonly cols: number;
  readonly rowStart: Int32Array;
  readonly columns: Int32Array;
  readonly values: FloatArray;
}

/** A CSR matrix exposing its arrays, for operators that apply it without copying. */
export interface CsrMatrix extends SparseMatrix, CsrArrays {
  transpose(): CsrMatrix;
  /** `Aᵀ·v` without building the transpose: each row scatters into the result. */
  multiplyTransposed(vector: FloatArray): FloatArray;
}

function newLike(values: FloatArray, length: number): FloatArray {
  return values instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

function checkVector(vector: FloatArray, length: number, what: string): void {
  if (!(vector instanceof Float32Array || vector instanceof Float64Array)) {
    throw new ShapeError(
      'INVALID_DATA',
      'vector',
      `vector must be a Float32Array or Float64Array, but got ${describeValue(vector)}`,
    );
  }
  if (vector.length !== length) {
    throw new ShapeError(
      'INVALID_DATA',
      'vector',
      `vector has ${vector.length} elements but ${what} needs ${length}`,
    );
  }
}

/** `out[r] = Σ values·v[col]` over row r (plus what `out` holds). */
export function csrMultiplyInto(
  a: CsrArrays,
  v: FloatArray,
  vOff: number,
  out: FloatArray,
  outOff: number,
): void {
  const { rowStart, columns, values } = a;
  for (let r = 0; r < a.rows; r++) {
    let acc = 0;
    const end = rowStart[r + 1]!;
    for (let j = rowStart[r]!; j < end; j++) acc += values[j]! * v[vOff + columns[j]!]!;
    out[outOff + r]! += acc;
  }
}

/** `out[col] += values·v[r]` for every entry: `Aᵀ·v` by scatter, with no transposed copy. */
export function csrMultiplyTransposedInto(
  a: CsrArrays,
  v: FloatArray,
  vOff: number,
  out: FloatArray,
  outOff: number,
): void {
  const { rowStart, columns, values } = a;
  for (let r = 0; r < a.rows; r++) {
    const x = v[vOff + r]!;
    if (x === 0) continue;
    const end = rowStart[r + 1]!;
    for (let j = rowStart[r]!; j < end; j++) out[outOff + columns[j]!]! += values[j]! * x;
  }
}

/**
 * Wraps CSR arrays as a {@link CsrMatrix}. The arrays are used as they are, not copied.
 * @param arrays - rows, cols, rowStart (length rows + 1), columns and values (length nnz)
 */
export function csrMatrix(arrays: CsrArrays): CsrMatrix {
  const { rows, cols, rowStart, columns, values } = arrays;
  const nnz = rowStart[rows]!;
  const matrix: CsrMatrix = {
    rows,
    cols,
    nnz,
    rowStart,
    columns,
    values,
    transpose() {
      const start = new Int32Array(cols + 1);
      for (let j = 0; j < nnz; j++) start[columns[j]! + 1]!++;
      for (let c = 0; c < cols; c++) start[c + 1]! += start[c]!;
      const fill = start.slice(0, cols);
      const tColumns = new Int32Array(nnz);
      const tValues = newLike(values, nnz);
      for (let r = 0; r < rows; r++) {
        for (let j = rowStart[r]!; j < rowStart[r + 1]!; j++) {
          const at = fill[columns[j]!]!++;
          tColumns[at] = r;
          tValues[at] = values[j]!;
        }
      }
      return csrMatrix({ rows: cols, cols: rows, rowStart: start, columns: tColumns, values: tValues });
    },
    multiply(vector) {
      checkVector(vector, cols, `a ${rows}×${cols} matrix`);
      const out = newLike(values, rows);
      csrMultiplyInto(matrix, vector, 0, out, 0);
      return out;
    },
    multiplyTransposed(vector) {
      checkVector(vector, rows, `the transpose of a ${rows}×${cols} matrix`);
      const out = newLike(values, cols);
      csrMultiplyTransposedInto(matrix, vector, 0, out, 0);
      return out;
    },
    toDense() {
      if (rows * cols > MAX_DENSE_CELLS) {
        throw new LimitError(
          'LIMIT_EXCEEDED',
          'toDense',
          `toDense() prints at most ${MAX_DENSE_CELLS} cells, but this matrix is ${rows}×${cols} = ${rows * cols}; use rowStart/columns/values or multiply() instead`,
        );
      }
      const dense: number[][] = [];
      for (let r = 0; r < rows; r++) {
        const row = new Array<number>(cols).fill(0);
        for (let j = rowStart[r]!; j < rowStart[r + 1]!; j++) row[columns[j]!] = values[j]!;
        dense.push(row);
      }
      return dense;
    },
  };
  return matrix;
}
