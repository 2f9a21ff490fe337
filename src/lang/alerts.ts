// An `alert` declaration's CST → AST (its grammar rule, `alertDecl`, is in
// ./parser.ts with the other declarations). Built with the same kit the
// actions are (./actions.ts), so numbers and spans are read one way.

import type { CstNode } from 'chevrotain';
import type { ActionBuildKit } from './actions.js';
import type { AlertDecl, AlertThreshold } from './ast.js';

const OPS = { Less: '<', LessEq: '<=', Greater: '>', GreaterEq: '>=' } as const;

/** The alert, or undefined when recovery left it without a part (the parser reported why). */
export function buildAlert(node: CstNode, b: ActionBuildKit): AlertDecl | undefined {
  const c = node.children;
  const names = b.toks(c, 'Identifier');
  const [nameTok, metricTok] = [b.tok(c, 'Identifier', 0), b.tok(c, 'Identifier', 1)];
  const buyerTok = b.tok(c, 'LParen') ? b.tok(c, 'Identifier', 2) : undefined;
  const opName = (Object.keys(OPS) as (keyof typeof OPS)[]).find((k) => b.tok(c, k) !== undefined);
  const thresholdTok = b.tok(c, 'Percent') ?? b.tok(c, 'Money') ?? b.tok(c, 'NumberLiteral') ?? (b.toks(c, 'Duration').length === 2 ? b.tok(c, 'Duration', 0) : undefined);
  const windowTok = b.toks(c, 'Duration').at(-1);
  if (!nameTok || !metricTok || opName === undefined || !thresholdTok || !windowTok || windowTok === thresholdTok) return undefined;
  if (b.tok(c, 'LParen') && (!buyerTok || names.length < 3)) return undefined;
  const threshold = b.durationExpr(thresholdTok);
  const window = b.durationExpr(windowTok);
  if (threshold.kind === 'error' || window.kind !== 'duration') return undefined;
  return {
    name: b.ident(nameTok)!,
    metric: b.ident(metricTok)!,
    ...(buyerTok ? { buyer: b.ident(buyerTok)! } : {}),
    op: OPS[opName],
    opSpan: b.tokenSpan(b.tok(c, opName)!),
    threshold: threshold as AlertThreshold,
    window,
    span: b.nodeSpan(node),
  };
}
