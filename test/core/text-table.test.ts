import { describe, expect, it } from 'vitest';
import { alignedRow, columnWidths, widest } from '../../src/core/text-table.js';

describe('text tables', () => {
  it('lay out the first column left and the rest right, two spaces apart', () => {
    const rows = [
      ['buyer', 'leads', 'revenue'],
      ['Premium', '12', '$540.00'],
      ['A', '1,204', '$9.00'],
    ];
    const widths = columnWidths(rows);
    expect(widths).toEqual([7, 5, 7]);
    expect(rows.map((r) => alignedRow(r, widths))).toEqual([
      'buyer    leads  revenue',
      'Premium     12  $540.00',
      'A        1,204    $9.00',
    ]);
  });

  it('measure a table of 200,000 rows (a spread into Math.max overflows the stack past about 125,000)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`B${i}`, String(i)]);
    expect(columnWidths(rows)).toEqual([7, 6]);
    expect(widest(rows.map((r) => r[0]!))).toBe(7);
    expect(widest([])).toBe(0);
  });
});
