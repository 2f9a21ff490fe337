// docs/MOCK-BUYERS.md documents every key of the mock buyer configuration and
// its default: its key table must list exactly the schema's keys, and the
// defaults it gives for answers must be the ones the servers use.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeAnswers, describeBuyer, mockConfigKeys, PING_ANSWER_DEFAULTS, POST_ANSWER_DEFAULTS, validateMockConfig, type MockBuyerConfig } from '../../src/mock/index.js';

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

  it('shows a buyer configuration that validates, and the banner says what it does', () => {
    const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as MockBuyerConfig);
    expect(blocks.length).toBeGreaterThan(0);
    for (const buyer of blocks) {
      expect(() => validateMockConfig({ buyers: [buyer] })).not.toThrow();
      const said = [...describeBuyer(buyer), ...describeAnswers(buyer)].join('\n');
      expect(said).toContain('pings and posts need Authorization: Bearer $SOLARCO_TOKEN (else 401)');
      expect(said).toContain('bid: xml <response><status>Accepted</status><price>42.50</price>');
      expect(said).toContain('redirect https://solarco.example/thanks/{leadId}');
    }
  });
});

describe('the banner', () => {
  it('says every default: no premium, the default price, shared faults', () => {
    const lines = describeBuyer({ name: 'X', bid: { exclusiveRate: 0.5 }, faults: { error: 0.1 } });
    expect(lines).toEqual([
      'latency 0ms; faults 10% HTTP 500',
      'pings: bid uniform $10..$50 (default); exclusive 50% at ×1; no bid 0%',
      'posts: accept; reject 0%',
    ]);
  });
});
