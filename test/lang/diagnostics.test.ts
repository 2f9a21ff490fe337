import { describe, expect, expectTypeOf, it } from 'vitest';
import { MAX_DIAGNOSTICS_SHOWN, MAX_SUGGESTION_NAME_LENGTH } from '../../src/core/limits.js';
import {
  DIAGNOSTIC_CODES,
  closestName,
  diagnostic,
  didYouMean,
  formatDiagnostics,
  messageTemplate,
  placeholdersOf,
  type Diagnostic,
  type DiagnosticArg,
  type MessageArgs,
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

  it('refuses a free-text message at compile time: only a table id and its arguments are accepted', () => {
    // Never called: the lines below are here for `tsc` (npm run typecheck), which fails if any of them compiles.
    const attempts = () => {
      // @ts-expect-error a whole message in place of arguments: LR600 takes one argument
      diagnostic('LR600', span(1), 'a message', 'a help');
      // @ts-expect-error an argument the message needs is missing
      diagnostic('LR600', span(1));
      // @ts-expect-error a variant the table does not have
      diagnostic('LR600.made_up', span(1), 'x');
      // @ts-expect-error the message's argument may not be left out
      diagnostic('LR200', span(1), undefined, 'did you mean `a`?');
    };
    expect(typeof attempts).toBe('function');
    // A help-only argument may be missing (a did-you-mean that found nothing): the help is then left out.
    expect(diagnostic('LR200', span(1), 'credit_scor', 'did you mean `credit_score`?').suggestion).toBe('did you mean `credit_score`?');
    expect(diagnostic('LR200', span(1), 'credit_scor', undefined)).not.toHaveProperty('suggestion');
  });

  it('gives every code at least one message template, and every template a message', () => {
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES) as [string, DiagnosticInfo][]) {
      const variants = Object.entries(info.variants ?? {});
      expect(info.message !== undefined || variants.length > 0, `${code} has no template`).toBe(true);
      for (const [v, t] of variants) expect(t.message.trim(), `${code}.${v}`).not.toBe('');
      if (info.message !== undefined) expect(info.message.trim(), code).not.toBe('');
    }
  });

  it('fills every placeholder: the arguments a template takes are {0} … {n-1}, so a message never shows a raw `{n}`', () => {
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES) as [string, DiagnosticInfo][]) {
      const ids = [...(info.message !== undefined ? [code] : []), ...Object.keys(info.variants ?? {}).map((v) => `${code}.${v}`)];
      for (const id of ids) {
        const t = messageTemplate(id)!.template;
        const count = new Set([...placeholdersOf(t.message), ...placeholdersOf(t.help ?? '')]).size;
        const args = Array.from({ length: count }, (_, i) => `<${i}>`);
        const d = (diagnostic as (id: string, span: Span, ...args: string[]) => Diagnostic)(id, span(1), ...args);
        expect(`${d.message} ${d.suggestion ?? ''}`, id).not.toMatch(/\{\d+\}/);
        if (t.help !== undefined) expect(d.suggestion, id).toBeDefined();
      }
    }
  });

  it('types the arguments from the template, reading past `{{…}}` in a help', () => {
    expectTypeOf<MessageArgs<'LR700.fixedHost'>>().toEqualTypeOf<[DiagnosticArg, DiagnosticArg]>();
    expectTypeOf<MessageArgs<'LR200'>>().toEqualTypeOf<[DiagnosticArg, DiagnosticArg | undefined]>();
    expectTypeOf<MessageArgs<'LR206'>>().toEqualTypeOf<[]>();
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
    expect(out.split('\n').at(-1)).toBe(`… and ${(100_000 - MAX_DIAGNOSTICS_SHOWN).toLocaleString('en-US')} more errors (12 warnings)`);
  });

  it('shows as many as maxShown asks, and all of them for 0', () => {
    const diagnostics = many(30, 2);
    expect(formatDiagnostics(diagnostics, {}, { maxShown: 5 }).match(/error LR101/g)).toHaveLength(5);
    expect(formatDiagnostics(diagnostics, {}, { maxShown: 5 }).split('\n').at(-1)).toBe('… and 25 more errors (2 warnings)');
    const all = formatDiagnostics(diagnostics, {}, { maxShown: 0 });
    expect(all.match(/LR101/g)).toHaveLength(32);
    expect(all).not.toContain('… and');
  });

  it('prints everything, with no count line, up to the limit', () => {
    const out = formatDiagnostics(many(MAX_DIAGNOSTICS_SHOWN, 0), {});
    expect(out.match(/error LR101/g)).toHaveLength(MAX_DIAGNOSTICS_SHOWN);
    expect(out).not.toContain('… and');
  });
});
