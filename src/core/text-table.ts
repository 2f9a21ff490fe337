// Plain-text tables as every command prints them (sell, simulate, route's
// summary, mock-buyers): the first column left-aligned, the others
// right-aligned, two spaces apart. Widths are found by a loop, not
// `Math.max(...cells)`: a spread of more than about 125,000 values (a table of
// 150,000 buyers) overflows the stack.

/** The length of the longest text (0 for none). */
export function widest(texts: Iterable<string>): number {
  let width = 0;
  for (const t of texts) if (t.length > width) width = t.length;
  return width;
}

/** Each column's width: its longest cell. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return widths;
}

/** One row laid out in `widths`: the first cell padded on the right, the rest on the left. */
export function alignedRow(row: readonly string[], widths: readonly number[]): string {
  return row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
}
