// The standing adversarial suite for the files a rule file names (issue 13):
// 10,000 generated rule files whose `lead from` and template paths try to leave
// the folder (`..`, absolute paths, links out), or name what is no regular file
// (a FIFO, a directory, /dev/zero) or too large a file. Whatever the path:
// compile never throws or hangs, every diagnostic has a code and a position,
// and nothing outside the folder is ever read into a message or a plan.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/compile/index.js';
import { MAX_NAMED_FILE_BYTES } from '../../src/core/limits.js';

const SECRET = 'OUTSIDE-THE-FOLDER-7f3a';
const INSIDE = 'INSIDE-TEMPLATE-c41d';

/** top/secret.txt (outside), top/rules/ (the rule file's folder) with every kind of trap. */
function workspace(): string {
  const top = mkdtempSync(join(tmpdir(), 'leadroute-adversarial-'));
  const rules = join(top, 'rules');
  mkdirSync(join(rules, 'templates', 'deeper'), { recursive: true });
  writeFileSync(join(top, 'secret.txt'), `{"properties":{"${SECRET}":{"type":"string"}}} ${SECRET}`);
  writeFileSync(join(top, 'secret.hbs'), `{"x":"${SECRET}"}`);
  writeFileSync(join(rules, 'templates', 'ok.hbs'), `{"id":"{{lead.id}}","tag":"${INSIDE}"}`);
  writeFileSync(join(rules, 'lead.json'), '{"properties":{"id":{"type":"string"},"n":{"type":"integer"}}}');
  writeFileSync(join(rules, 'big.hbs'), 'x'.repeat(MAX_NAMED_FILE_BYTES + 10));
  execFileSync('mkfifo', [join(rules, 'templates', 'fifo.hbs')]);
  symlinkSync('/dev/zero', join(rules, 'zero.hbs'));
  symlinkSync(join(top, 'secret.hbs'), join(rules, 'templates', 'link-out.hbs'));
  symlinkSync(join(rules, 'templates', 'ok.hbs'), join(rules, 'link-in.hbs'));
  return rules;
}

const SEGMENTS = ['..', '.', '', 'templates', 'deeper', 'ok.hbs', 'fifo.hbs', 'zero.hbs', 'link-out.hbs', 'link-in.hbs', 'big.hbs', 'lead.json', 'secret.hbs', 'secret.txt', 'rules', '%2e%2e', '..\\..', 'nope'];
const ROOTS = ['', '', '', '/', '/etc/', '/dev/', '//', '~/', 'C:\\', '\\\\server\\'];

const pathArb = fc
  .tuple(fc.constantFrom(...ROOTS), fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 7 }), fc.option(fc.string({ maxLength: 6 }), { freq: 4 }))
  .map(([root, segs, junk]) => `${root}${segs.join('/')}${junk ?? ''}`.replace(/["\\\n]/g, (c) => (c === '\n' ? '' : `\\${c}`)));

const programArb = fc.record({ lead: fc.option(pathArb, { freq: 2 }), post: pathArb, ping: fc.option(pathArb, { freq: 3 }) }).map(
  ({ lead, post, ping }) =>
    `${lead === null ? 'lead { id: string\n  n: int optional }' : `lead from "${lead}"`}
buyer B { price $1
  ${ping === null ? '' : `ping "http://127.0.0.1:9/ping" json "${ping}"\n  bid price "bid"\n  `}post "http://127.0.0.1:9/post" json "${post}" }
flow f { ${ping === null ? 'route B' : 'auction { B }'} }
`,
);

describe('10,000 rule files naming files they may not read', () => {
  it('never throw, hang or read outside the folder; every diagnostic has a code and a position', () => {
    const rules = workspace();
    const file = join(rules, 'r.route');
    let compiled = 0;
    let refused = 0;
    fc.assert(
      fc.property(programArb, (source) => {
        const r = compile(source, { file });
        const lines = source.split('\n').length;
        for (const d of r.diagnostics) {
          expect(d.code).toMatch(/^LR\d{3}$/);
          expect(d.span.line).toBeGreaterThanOrEqual(1);
          expect(d.span.line).toBeLessThanOrEqual(lines);
          expect(d.span.col).toBeGreaterThanOrEqual(1);
          expect(d.message).not.toContain(SECRET);
          expect(d.suggestion ?? '').not.toContain(SECRET);
        }
        if (r.plan) {
          compiled++;
          expect(JSON.stringify(r.plan)).not.toContain(SECRET);
        }
        if (r.diagnostics.some((d) => d.code === 'LR215')) refused++;
      }),
      { numRuns: 10_000 },
    );
    // both outcomes happen: files inside are read, the rest refused
    expect(compiled).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 180_000); // ~2 s on a quiet 2-core machine; a loaded one can take many times that
});
