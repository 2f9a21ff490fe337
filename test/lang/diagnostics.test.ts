import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS_SHOWN, MAX_SUGGESTION_NAME_LENGTH } from '../../src/core/limits.js';
import {
  DIAGNOSTIC_CODES,
  closestName,
  diagnostic,
  didYouMean,
  textDiagnostic,
  formatDiagnostics,
  messageTemplate,
  type Diagnostic,
  type DiagnosticInfo,
} from '../../src/lang/diagnostics.js';
import type { Span } from '../../src/lang/ast.js';

const span = (line: number): Span => ({ file: 'f.route', line, col: 1, endLine: line, endCol: 2, start: line, end: line + 1 });

describe('message templates', () => {
  it('formats a code from its template and the arguments', () => {
    expect(diagnostic('LR104.capUnit', span(1), 'hr', '`h` or `hour`')).toEqual({
      code: 'LR104',
      severity: 'error',
      message: 'unknown cap period `hr`',
      span: span(1),
      suggestion: 'a cap period is `h` or `hour`',
    });
    expect(diagnostic('LR106.size', span(2), 10_000).message).toBe('this expression has more than 10,000 parts');
  });

  it('keeps the older (code, span, message, help) form, apart, until every call site is converted', () => {
    expect(textDiagnostic('LR600', span(1), 'a message', 'a help')).toMatchObject({ code: 'LR600', message: 'a message', suggestion: 'a help' });
  });

  it('numbers every placeholder of a template from {0} with no gap, and names only existing variants', () => {
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES) as [string, DiagnosticInfo][]) {
      const templates = [
        ...(info.message !== undefined ? [{ id: code, t: { message: info.message, help: info.help } }] : []),
        ...Object.entries(info.variants ?? {}).map(([v, t]) => ({ id: `${code}.${v}`, t })),
      ];
      for (const { id, t } of templates) {
        expect(messageTemplate(id)?.code).toBe(code);
        const used = new Set([...`${t.message} ${t.help ?? ''}`.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
        expect([...used].sort(), id).toEqual([...Array(used.size).keys()]);
      }
    }
  });
});

describe('did you mean', () => {
  it('still finds the near miss', () => {
    expect(didYouMean('credit_scor', ['state', 'credit_score'])).toBe('did you mean `credit_score`?');
    expect(closestName('hr', ['min', 'h', 'hour'])).toBe('h');
  });

  it('is bounded: a 1 MB name or candidate is not compared character by character', () => {
    const huge = 'America/New_York'.repeat(65_536); // 1 MiB
    expect(huge.length).toBeGreaterThan(1_000_000);
    expect(closestName(huge, ['America/New_York', huge])).toBeUndefined();
    expect(didYouMean(huge, [huge.slice(0, -1)])).toBeUndefined();
    // A huge candidate beside a short name is skipped unread.
    expect(closestName('America/New_Yrok', [huge, 'America/New_York'])).toBe('America/New_York');
  });

  it('gives no suggestion for a name past MAX_SUGGESTION_NAME_LENGTH', () => {
    const long = 'x'.repeat(MAX_SUGGESTION_NAME_LENGTH + 1);
    expect(closestName(long, [long + 'y'])).toBeUndefined();
  });
});

describe('formatDiagnostics caps its output', () => {
  const many = (errors: number, warnings: number): Diagnostic[] => [
    ...Array.from({ length: errors }, (_, i) => diagnostic('LR101', span(i + 1))),
    ...Array.from({ length: warnings }, (_, i) => ({ ...diagnostic('LR101', span(errors + i + 1)), severity: 'warning' as const })),
  ];

  it(`prints the first ${MAX_DIAGNOSTICS_SHOWN} diagnostics, then one line counting the rest`, () => {
    const out = formatDiagnostics(many(100_000, 12), { 'f.route': 'x\n'.repeat(100_012) });
    expect(out.match(/error LR101/g)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(out.split('\n').at(-1)).toBe('… 99,912 more not shown: 99,900 errors, 12 warnings');
  });

  it('prints everything, with no count line, up to the limit', () => {
    const out = formatDiagnostics(many(MAX_DIAGNOSTICS_SHOWN, 0), {});
    expect(out.match(/error LR101/g)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(out).not.toContain('more not shown');
  });
});
