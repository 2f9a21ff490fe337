// Golden tests for the checker: every test/golden/check/*.route is parsed and
// checked, and its formatted diagnostics (colour off) must equal the
// *.route.expected file next to it. Regenerate with UPDATE_GOLDEN=1.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/index.js';
import { formatDiagnostics, parse } from '../../src/lang/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check');
const update = process.env.UPDATE_GOLDEN === '1';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.route'))
  .sort();

function render(file: string): string {
  const source = readFileSync(path.join(dir, file), 'utf8');
  const parsed = parse(source, file);
  const checked = check(parsed.ast, { baseDir: dir });
  const text = formatDiagnostics([...parsed.diagnostics, ...checked.diagnostics], { [file]: source }, { color: false });
  return text === '' ? '' : `${text}\n`;
}

describe('checker golden files', () => {
  it('has golden files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('%s', (file) => {
    const expectedPath = path.join(dir, `${file}.expected`);
    const actual = render(file);
    if (update || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, actual);
      if (!update) throw new Error(`wrote ${expectedPath}; review it and run again`);
      return;
    }
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });
});
