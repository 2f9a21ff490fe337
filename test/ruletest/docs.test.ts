// docs/TESTING.md documents exactly the keys a test file may hold (walked from
// the schema of src/ruletest/spec.ts), each with a description.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testFileKeys } from '../../src/ruletest/index.js';
import { ROOT } from '../cli/helpers.js';

function documented(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'docs/TESTING.md'), 'utf8');
  const table = text.slice(text.indexOf('## Every key'), text.indexOf('## A failing case'));
  const rows = new Map<string, string>();
  for (const m of table.matchAll(/^\| `([^`]+)` \| (.*) \|$/gm)) rows.set(m[1]!, m[2]!.trim());
  return rows;
}

describe('docs/TESTING.md', () => {
  it('documents exactly the keys a test file may hold', () => {
    const keys = testFileKeys();
    expect(keys.length).toBeGreaterThan(40);
    expect([...documented().keys()].sort()).toEqual([...keys].sort());
  });

  it('describes every key', () => {
    for (const [key, what] of documented()) expect(what.length, key).toBeGreaterThan(5);
  });
});
