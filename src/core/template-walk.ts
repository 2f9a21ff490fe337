// One walk over a parsed Handlebars template, shared by the checker (which
// checks every variable and helper a template uses, and the pii rule for pings)
// and the renderer (which lists the variables a template reads and rewrites
// every mustache to go through its format's encoder).
//
// It decides, once, the two things both need to agree on:
//   - which calls are helper calls: anything with arguments, a subexpression,
//     a registered helper's name, or a block built-in opening a block;
//   - which paths are read from the root context: as at run time, everything
//     outside `each`/`with` blocks (and sections such as `{{#lead.tags}}`);
//     inside them only `@root.…`; block parameters (`as |x|`) are local.

import { CONTEXT_KEEPING_HELPERS, HASH_HELPER, isBlockHelper, isTemplateHelper } from './template-helpers.js';

type Program = hbs.AST.Program;
type Expression = hbs.AST.Expression;
type PathExpression = hbs.AST.PathExpression;

export interface TemplateVisitor {
  /** A path read as a value. `rooted`: outside any context-changing block;
   *  `local`: its head is a block parameter; `hashed`: it is read inside the
   *  arguments of a `hash` call, so what it yields is a digest, not the value. */
  path?(p: PathExpression, rooted: boolean, local: boolean, hashed: boolean): void;
  /** The callee of a helper call. */
  helper?(p: PathExpression): void;
  /** A mustache, after its callee and arguments were visited (the renderer rewrites it here). */
  mustache?(m: hbs.AST.MustacheStatement, helperCall: boolean): void;
  /** A partial or a decorator, which leadroute templates do not support. */
  unsupported?(st: hbs.AST.Statement, what: 'partial' | 'decorator'): void;
}

const isPath = (n: unknown): n is PathExpression => !!n && typeof n === 'object' && (n as { type?: unknown }).type === 'PathExpression';

const list = <T>(v: readonly T[] | undefined | null): readonly T[] => (Array.isArray(v) ? v : []);

/** A helper call: a registered helper, a block built-in opening a block, or anything called with arguments. */
export function isHelperCall(
  callee: Expression | undefined,
  params: readonly Expression[] | undefined,
  hash: hbs.AST.Hash | undefined,
  block: boolean,
): boolean {
  if (list(params).length > 0 || list(hash?.pairs).length > 0) return true;
  const name = isPath(callee) && typeof callee.original === 'string' ? callee.original : '';
  return isTemplateHelper(name) || (block && isBlockHelper(name));
}

/** The name of the helper a block opens (`if`, `each`), or ''. */
export function blockHelperName(b: hbs.AST.BlockStatement): string {
  return isPath(b.path) && typeof b.path.original === 'string' ? b.path.original : '';
}

/**
 * Walk a template in source order. `limit` bounds the nodes visited (the
 * checker's guard against pathological input); the renderer walks everything.
 */
export function walkTemplate(ast: Program, visitor: TemplateVisitor, limit = Infinity): void {
  let budget = limit;
  const value = (n: Expression | undefined, rooted: boolean, bp: ReadonlySet<string>, hashed = false): void => {
    if (!n || typeof n !== 'object' || budget-- <= 0) return;
    if (isPath(n)) {
      const parts = list(n.parts);
      visitor.path?.(n, rooted, !n.data && parts.length > 0 && bp.has(String(parts[0])), hashed);
    } else if (n.type === 'SubExpression') {
      const s = n as hbs.AST.SubExpression;
      call(s.path, s.params, s.hash, true, rooted, bp, false, hashed);
    }
  };
  /** `forced`: a subexpression, always a helper call. */
  const call = (
    callee: Expression,
    params: readonly Expression[],
    hash: hbs.AST.Hash | undefined,
    forced: boolean,
    rooted: boolean,
    bp: ReadonlySet<string>,
    block = false,
    hashed = false,
  ): boolean => {
    const helper = isPath(callee) && (forced || isHelperCall(callee, params, hash, block));
    if (helper) visitor.helper?.(callee);
    else value(callee, rooted, bp, hashed);
    // Whatever a `hash` call reads, at any depth, comes out as its digest.
    const args = hashed || (helper && callee.original === HASH_HELPER);
    for (const x of list(params)) value(x, rooted, bp, args);
    for (const pair of list(hash?.pairs)) value(pair?.value, rooted, bp, args);
    return helper;
  };
  const program = (prog: Program | undefined, rooted: boolean, bp: ReadonlySet<string>): void => {
    if (!prog || typeof prog !== 'object' || budget-- <= 0) return;
    const params = list(prog.blockParams).map(String);
    const inner = params.length > 0 ? new Set([...bp, ...params]) : bp;
    for (const st of list(prog.body)) {
      if (!st || typeof st !== 'object' || budget-- <= 0) continue;
      switch (st.type) {
        case 'MustacheStatement': {
          const m = st as hbs.AST.MustacheStatement;
          const helper = call(m.path, m.params, m.hash, false, rooted, inner);
          visitor.mustache?.(m, helper);
          break;
        }
        case 'BlockStatement': {
          const b = st as hbs.AST.BlockStatement;
          call(b.path, b.params, b.hash, false, rooted, inner, true);
          const name = blockHelperName(b);
          const keeps = CONTEXT_KEEPING_HELPERS.includes(name);
          program(b.program, rooted && keeps, inner);
          program(b.inverse, rooted && (keeps || name === 'each' || name === 'with'), inner);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          visitor.unsupported?.(st, 'partial');
          break;
        case 'Decorator':
        case 'DecoratorBlock':
          visitor.unsupported?.(st, 'decorator');
          break;
        default:
          break;
      }
    }
  };
  program(ast, true, new Set());
}
