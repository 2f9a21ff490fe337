// docs/MOCK-BUYERS.md documents every key of the mock buyer configuration and
// its default: its key table must list exactly the schema's keys, and the
// defaults it gives for answers must be the ones the servers use.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mockConfigKeys, PING_ANSWER_DEFAULTS, POST_ANSWER_DEFAULTS } from '../../src/mock/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const doc = readFileSync(`${ROOT}docs/MOCK-BUYERS.md`, 'utf8');

/** The key table of the section "Every key": `| \`key\` | type | default | what |` rows. */
function documented(): Map<string, { type: string; dflt: string; what: string }> {
  const rows = new Map<string, { type: string; dflt: string; what: string }>();
  const section = doc.split(/^## /m).find((s) => s.startsWith('Every key'));
  if (!section) throw new Error('docs/MOCK-BUYERS.md has no section "Every key"');
  for (const line of section.split('\n')) {
    const m = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (!m) continue;
    const [type, dflt, what] = m[2]!.split(' | ').map((c) => c.trim());
    if (rows.has(m[1]!)) throw new Error(`${m[1]} is documented twice`);
    rows.set(m[1]!, { type: type ?? '', dflt: dflt ?? '', what: what ?? '' });
  }
  return rows;
}

describe('docs/MOCK-BUYERS.md', () => {
  it('documents exactly the keys the configuration schema accepts', () => {
    const keys = mockConfigKeys();
    expect(keys.length).toBeGreaterThan(50);
    expect([...documented().keys()].sort()).toEqual([...keys].sort());
  });

  it('gives every key a type, a default and a description', () => {
    for (const [key, row] of documented()) {
      expect(row.type, key).not.toBe('');
      expect(row.dflt, key).not.toBe('');
      expect(row.what, key).not.toBe('');
    }
  });

  it('gives the defaults the servers answer with', () => {
    const rows = documented();
    const check = (prefix: string, defaults: typeof PING_ANSWER_DEFAULTS | typeof POST_ANSWER_DEFAULTS) => {
      expect(rows.get(`${prefix}.format`)!.dflt).toBe(`\`${JSON.stringify(defaults.format)}\``);
      expect(rows.get(`${prefix}.priceAsText`)!.dflt).toBe(`\`${JSON.stringify(defaults.priceAsText)}\``);
      for (const [k, v] of Object.entries(defaults.paths)) expect(rows.get(`${prefix}.paths.${k}`)!.dflt, k).toBe(`\`${JSON.stringify(v)}\``);
      for (const [k, v] of Object.entries(defaults.words)) expect(rows.get(`${prefix}.words.${k}`)!.dflt, k).toBe(`\`${JSON.stringify(v)}\``);
    };
    check('buyers[].bid.answer', PING_ANSWER_DEFAULTS);
    check('buyers[].post.answer', POST_ANSWER_DEFAULTS);
    // No premium unless one is configured (a $60 bid stays $60).
    expect(rows.get('buyers[].bid.exclusivePremium')!.dflt).toBe('`1`');
  });
});
