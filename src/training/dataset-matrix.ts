/** Encoded rows (row-major) with 0/1 labels: what both trainers consume. */
export interface LabelledMatrix {
  readonly x: Float64Array;
  readonly y: Uint8Array;
  readonly rows: number;
  readonly columns: number;
}

/** Copies the given rows of `m` into a new matrix. */
export function selectRows(m: LabelledMatrix, rows: ArrayLike<number>): LabelledMatrix {
  const x = new Float64Array(rows.length * m.columns);
  const y = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    x.set(m.x.subarray(r * m.columns, (r + 1) * m.columns), i * m.columns);
    y[i] = m.y[r]!;
  }
  return { x, y, rows: rows.length, columns: m.columns };
}
