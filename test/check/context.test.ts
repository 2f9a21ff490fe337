import { describe, expect, it } from 'vitest';
import { CheckContext, headSpan, listText } from '../../src/check/context.js';

describe('context', () => {
  it('reports at the file start when a span is missing', () => {
    const ctx = new CheckContext({ file: 'x.route', buyers: [], flows: [], alerts: [], span: undefined as never });
    ctx.report('LR206', undefined);
    expect(ctx.diagnostics[0]!.span).toMatchObject({ file: 'x.route', line: 1, col: 1 });
  });
  it('narrows a span to its head', () => {
    const span = { file: 'f', line: 2, col: 3, endLine: 2, endCol: 30, start: 10, end: 37 };
    expect(headSpan(span, 9)).toMatchObject({ col: 3, endCol: 12, start: 10, end: 19 });
    expect(headSpan(span, 100)).toMatchObject({ endCol: 30, end: 37 });
  });
  it('lists', () => {
    expect(listText(['a'])).toBe('a');
    expect(listText(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
