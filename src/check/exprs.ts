// Expression types: infer a type for every expression, resolve bare names
// (a field, `random`, or a state/enum symbol such as `CA`), and report
// mismatches, unknown names and functions, values outside an enum or a
// field's range, and `random` compared outside 1..100.
//
// Why one file over ~500 lines: every expression kind is checked by the same
// class because each reads and reports through the same state (the context,
// the bindings, the scope of `bid.`/`buyer.` names, the recursion guard) and
// calls the others (a comparison checks both operands and the field's range,
// a list its items against the compared field); split by kind, it would be
// that class in several files handing the state around.

import type { CompareOp, Expr, Span } from '../lang/ast.js';
import { BUILTIN_NAMES, builtin, isBuiltin, signatureText, type BuiltinDef, type BuiltinType } from '../core/builtins.js';
import { scopedName, scopedNamesIn, scopedWhere, SCOPED_NAME_LIST, type ScopedPlace } from '../core/scoped-names.js';
import { US_STATES } from '../lang/builtins.js';
import { closestName, didYouMean } from '../lang/diagnostics.js';
import type { Bindings } from './binder.js';
import { type CheckContext, listText } from './context.js';
import type { LeadField } from './types.js';
import {
  compareNumbers,
  conjunction,
  constantValue,
  countOf,
  flip,
  isEmpty,
  isRandom,
  numericLiteral,
  pureRandomSet,
  randomAtom,
  randomSet,
  rangesText,
} from './constraints.js';
import { quote, render } from './render.js';
import {
  BOOL,
  DURATION,
  INT,
  MONEY,
  NUMBER,
  STRING,
  TIME,
  UNKNOWN,
  equatable,
  family,
  isNumeric,
  isOrderable,
  isStringLike,
  join,
  leadTypeToTy,
  orderable,
  typeName,
  withArticle,
  type Ty,
} from './types.js';
import { closestZone, isValidZone } from './zones.js';

const RANDOM_TY: Ty = { kind: 'int', min: 1, max: 100 };
/** US_STATES as a set: every state literal in a file is looked up here. */
const STATE_CODES: ReadonlySet<string> = new Set(US_STATES);
const MAX_DEPTH = 1000;

function isLiteral(e: Expr | undefined): boolean {
  if (!e) return false;
  switch (e.kind) {
    case 'number':
    case 'string':
    case 'bool':
    case 'money':
    case 'duration':
    case 'percent':
      return true;
    case 'unary':
      return e.op === '-' && isLiteral(e.arg);
    default:
      return false;
  }
}

function bare(t: Ty): Ty {
  return { kind: t.kind } as Ty;
}

/** Scoped names (src/core/scoped-names.ts) with their checker type and where they are known (for messages). */
export const SCOPED_NAMES: Record<string, { ty: Ty; where: string }> = Object.fromEntries(
  SCOPED_NAME_LIST.map((n) => [n, { ty: scopedName(n).type === 'money' ? MONEY : NUMBER, where: scopedWhere(n) }]),
);

/** The scoped names valid in one place, typed, for `ExprChecker.withScope`. */
export function scopeOf(place: ScopedPlace): Record<string, Ty> {
  return Object.fromEntries(scopedNamesIn(place).map((n) => [n, SCOPED_NAMES[n]!.ty]));
}

export class ExprChecker {
  private depth = 0;
  /** Extra names in scope (e.g. `bid.price` inside an auction's `rank by`). */
  private scope = new Map<string, Ty>();

  /** `bindings`: where each inferred expression's type is recorded (src/check/binder.ts). */
  constructor(
    private readonly ctx: CheckContext,
    private readonly bindings?: Bindings,
  ) {}

  /** Run `fn` with extra names in scope. */
  withScope<T>(names: Record<string, Ty>, fn: () => T): T {
    const saved = this.scope;
    this.scope = new Map([...saved, ...Object.entries(names)]);
    try {
      return fn();
    } finally {
      this.scope = saved;
    }
  }

  // ------------------------------------------------------------ entry points

  /** A condition (`when`, `accepts`, a waterfall tier): must be true/false. */
  condition(e: Expr | undefined, where: string): void {
    if (!e || typeof e !== 'object') return;
    const t = this.infer(e);
    if (t.kind !== 'bool' && t.kind !== 'unknown') {
      this.notBool(e, t, where);
      return;
    }
    if (t.kind === 'bool') this.truth(e, where);
  }

  /** A price: a number of dollars. */
  price(e: Expr | undefined, where: string): void {
    if (!e || typeof e !== 'object') return;
    const t = this.infer(e);
    if (t.kind === 'unknown' || t.kind === 'money' || t.kind === 'number' || t.kind === 'int') return;
    const what = quote(e);
    this.ctx.report(t.kind === 'percent' ? 'LR300.amountNotPercent' : 'LR300.amount', e.span, where, what || 'this', withArticle(t));
  }

  /** A number (a score, a ranking key): int, number, money or percent. */
  numeric(e: Expr | undefined, where: string): void {
    if (!e || typeof e !== 'object') return;
    const t = this.infer(e);
    if (t.kind === 'unknown' || isNumeric(t)) return;
    const what = quote(e);
    this.ctx.report('LR300', e.span, where, what ? `${what} is` : 'this is', withArticle(t), this.literalHint(e, NUMBER));
  }

  /** A duration (`5s`, `7d`): its length in milliseconds, or undefined when
   *  it is not a literal (or not a duration, which is reported). */
  duration(e: Expr | undefined, where: string): number | undefined {
    if (!e || typeof e !== 'object') return undefined;
    if (e.kind === 'duration') return typeof e.ms === 'number' && Number.isFinite(e.ms) ? e.ms : undefined;
    const t = this.infer(e);
    if (t.kind === 'unknown' || t.kind === 'duration') return undefined;
    const what = quote(e);
    this.ctx.report(isNumeric(t) ? 'LR300.durationUnit' : 'LR300.duration', e.span, where, what || 'this', withArticle(t));
    return undefined;
  }

  /** `field = value` in a fallback step's rewrites: the value must fit the field. */
  assign(field: LeadField, target: Expr | undefined, value: Expr | undefined): void {
    if (!value || typeof value !== 'object') return;
    const ft = leadTypeToTy(field.type);
    if (this.isSymbol(value)) {
      this.symbol(value, ft, target);
      return;
    }
    const vt = this.infer(value);
    if (vt.kind === 'unknown') return;
    let fits = equatable(vt, ft);
    if (fits && (ft.kind === 'int' || ft.kind === 'money') && vt.kind === 'percent') fits = false;
    if (fits && ft.kind === 'int' && value.kind === 'number' && !Number.isInteger(value.value)) fits = false;
    if (fits && isStringLike(ft) && !isStringLike(vt)) fits = false;
    if (!fits) {
      const what = quote(value);
      this.ctx.report(
        'LR300.cannotSet', value.span, field.name, withArticle(ft), what ? `${what} (${withArticle(vt)})` : withArticle(vt), this.literalHint(value, ft),
      );
      return;
    }
    this.valueAgainst(value, ft, target);
    if (target) this.rangeCompare(target, 'in', value);
  }

  /** Infer an expression's type, reporting what is wrong inside it. */
  infer(e: Expr | undefined): Ty {
    if (!e || typeof e !== 'object') return UNKNOWN;
    if (this.depth > MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      const t = this.inferInner(e);
      this.bindings?.setType(e, t);
      return t;
    } finally {
      this.depth--;
    }
  }

  // ------------------------------------------------------------ inference

  private inferInner(e: Expr): Ty {
    switch (e.kind) {
      case 'number':
        return Number.isInteger(e.value) ? INT : NUMBER;
      case 'string':
        return STRING;
      case 'bool':
        return BOOL;
      case 'money':
        return MONEY;
      case 'duration':
        return DURATION;
      case 'percent':
        return { kind: 'percent' };
      case 'list':
        return this.list(e.items, undefined);
      case 'name':
        return this.name(e);
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.arith(e);
      case 'compare':
        return this.compare(e);
      case 'logical':
        this.boolOperand(e.left, `\`${e.op}\``);
        this.boolOperand(e.right, `\`${e.op}\``);
        return BOOL;
      case 'in':
        return this.inList(e);
      case 'between':
        return this.between(e);
      case 'within':
        return this.within(e);
      case 'call':
        return this.call(e);
      default:
        return UNKNOWN;
    }
  }

  private name(e: Extract<Expr, { kind: 'name' }>): Ty {
    if (typeof e.name !== 'string' || e.name === '') return UNKNOWN;
    if (e.name === 'random') return RANDOM_TY;
    const scoped = this.scope.get(e.name);
    if (scoped) return scoped;
    const f = this.fieldNamed(e);
    if (f) return leadTypeToTy(f.type);
    this.unknownName(e, undefined);
    return UNKNOWN;
  }

  /** Whether a bare name is not a field or `random`: a symbol, if the context
   *  allows one, else an unknown field. */
  private isSymbol(e: Expr | undefined): e is Extract<Expr, { kind: 'name' }> {
    return (
      !!e &&
      e.kind === 'name' &&
      typeof e.name === 'string' &&
      e.name !== '' &&
      e.name !== 'random' &&
      !this.scope.has(e.name) &&
      this.fieldNamed(e) === undefined
    );
  }

  /**
   * The lead field a bare name denotes, read from the binding made before the
   * passes (src/check/binder.ts). An expression the binder did not reach (one
   * deeper than it walks a clause, or a hand-built AST) is looked up directly.
   */
  private fieldNamed(e: Extract<Expr, { kind: 'name' }>): LeadField | undefined {
    const symbol = this.ctx.bindings.symbolOf(e);
    // The binder reads `bid.price` as the scoped name before any field; a
    // schema property spelt that way is still a field here, as it always was.
    if (symbol === undefined || symbol.kind === 'scoped') return this.ctx.fields.get(e.name);
    return symbol.kind === 'field' ? symbol.field : undefined;
  }

  private unknownName(e: Extract<Expr, { kind: 'name' }>, context: Ty | undefined): void {
    const scoped = SCOPED_NAMES[e.name];
    if (scoped) {
      this.ctx.report('LR200.scoped', e.span, e.name, scoped.where);
      return;
    }
    if (!this.ctx.fieldsKnown) return;
    if (isBuiltin(e.name)) {
      this.ctx.report('LR200.function', e.span, e.name);
      return;
    }
    const suggestion = didYouMean(e.name, [...this.ctx.fields.keys(), ...this.scope.keys()]);
    let help = suggestion;
    if (help === undefined && context && isStringLike(context))
      help = `to compare with the text ${e.name}, quote it: \`"${e.name}"\``;
    this.ctx.report('LR200', e.span, e.name, help);
  }

  /** A bare name where a value of type `target` is expected. */
  private symbol(e: Extract<Expr, { kind: 'name' }>, target: Ty, against: Expr | undefined): void {
    if (target.kind === 'unknown') return;
    if (target.kind === 'state') {
      if (STATE_CODES.has(e.name)) return;
      if (this.ctx.fieldsKnown && closestName(e.name, this.ctx.fields.keys()) !== undefined) {
        this.unknownName(e, target);
        return;
      }
      this.ctx.report('LR302', e.span, e.name, this.stateHint(e.name));
      return;
    }
    if (target.kind === 'enum') {
      if (target.values.includes(e.name)) return;
      if (this.ctx.fieldsKnown && closestName(e.name, this.ctx.fields.keys()) !== undefined) {
        this.unknownName(e, target);
        return;
      }
      const owner = against && quote(against) ? `${quote(against)}'s` : 'the';
      this.ctx.report('LR301', e.span, e.name, owner, target.values.map((v) => JSON.stringify(v)).join(', '), this.enumHint(e.name, target.values, true));
      return;
    }
    this.unknownName(e, target);
  }

  private stateHint(text: string): string | undefined {
    const upper = text.toUpperCase();
    if (US_STATES.includes(upper)) return `state codes are upper case: \`${upper}\``;
    const byName = STATE_NAMES[text.toLowerCase().replace(/[^a-z]/g, '')];
    if (byName) return `the code for ${text} is \`${byName}\``;
    return didYouMean(text, US_STATES) ?? 'use a two-letter USPS code such as `CA`';
  }

  private enumHint(text: string, values: string[], asSymbol: boolean): string | undefined {
    const best = closestName(text, values);
    if (best === undefined) return undefined;
    return asSymbol && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(best)
      ? `did you mean \`${JSON.stringify(best)}\`?`
      : `did you mean \`${asSymbol ? best : JSON.stringify(best)}\`?`;
  }

  /** A string literal where a value of type `target` is expected. */
  private stringValue(e: Extract<Expr, { kind: 'string' }>, target: Ty, against: Expr | undefined): void {
    if (target.kind === 'state' && !STATE_CODES.has(e.value)) {
      this.ctx.report('LR302', e.span, JSON.stringify(e.value), this.stateHint(e.value));
    } else if (target.kind === 'enum' && !target.values.includes(e.value)) {
      const owner = against && quote(against) ? `${quote(against)}'s` : 'the';
      this.ctx.report(
        'LR301', e.span, JSON.stringify(e.value), owner, target.values
          .map((v) => JSON.stringify(v))
          .join(', '), this.enumHint(e.value, target.values, false),
      );
    }
  }

  /** Check a value compared for equality (or membership) with a `target`. */
  private valueAgainst(value: Expr | undefined, target: Ty, against: Expr | undefined): void {
    if (!value) return;
    if (value.kind === 'string') this.stringValue(value, target, against);
  }

  private list(items: Expr[] | undefined, hint: Ty | undefined, against?: Expr): Ty {
    if (!Array.isArray(items)) return UNKNOWN;
    let of: Ty | undefined;
    let mixed = false;
    for (const item of items) {
      let t: Ty;
      if (this.isSymbol(item)) {
        if (hint) this.symbol(item, hint, against);
        else this.unknownName(item, undefined);
        t = hint && (hint.kind === 'state' || hint.kind === 'enum') ? hint : UNKNOWN;
      } else {
        t = this.infer(item);
        if (hint) {
          this.valueAgainst(item, hint, against);
          if (!equatable(t, hint)) {
            this.mismatchIn(item, t, hint, against);
            t = UNKNOWN;
          }
        }
      }
      if (of === undefined) of = t;
      else if (!mixed) {
        const j = join(of, t);
        if (j === undefined) {
          if (!hint) {
            const what = quote(item);
            this.ctx.report('LR300.listMix', item?.span, withArticle(of), withArticle(t), what ? ` (${what})` : '');
          }
          mixed = true;
          of = UNKNOWN;
        } else of = j;
      }
    }
    return { kind: 'list', of };
  }

  private mismatchIn(item: Expr, t: Ty, target: Ty, against: Expr | undefined): void {
    const what = quote(item);
    const subject = against && quote(against) ? `${quote(against)} (${withArticle(target)})` : withArticle(target);
    this.ctx.report('LR300.neverEqual', item.span, subject, what ? `${what} (${withArticle(t)})` : withArticle(t), this.literalHint(item, target));
  }

  /** `"700"` where a number is wanted: suggest dropping the quotes. */
  private literalHint(e: Expr | undefined, wanted: Ty): string | undefined {
    if (e?.kind === 'string' && isNumeric(wanted) && /^\s*-?\d+(\.\d+)?\s*$/.test(e.value))
      return `write \`${e.value.trim()}\` without quotes`;
    if (e?.kind === 'string' && wanted.kind === 'bool' && (e.value === 'true' || e.value === 'false'))
      return `write \`${e.value}\` without quotes`;
    if (e?.kind === 'number' && isStringLike(wanted) && wanted.kind !== 'state' && wanted.kind !== 'enum')
      return `quote it: \`"${e.value}"\``;
    return undefined;
  }

  private unary(e: Extract<Expr, { kind: 'unary' }>): Ty {
    if (e.op === 'not') {
      this.boolOperand(e.arg, '`not`');
      return BOOL;
    }
    const t = this.infer(e.arg);
    if (t.kind === 'unknown') return UNKNOWN;
    if (isNumeric(t) || t.kind === 'duration') return bare(t);
    const what = quote(e.arg);
    this.ctx.report('LR300.needsNumber', e.arg?.span ?? e.span, what ?? 'this', withArticle(t));
    return UNKNOWN;
  }

  private boolOperand(e: Expr | undefined, op: string): void {
    if (!e) return;
    const t = this.infer(e);
    if (t.kind !== 'bool' && t.kind !== 'unknown') this.notBool(e, t, `the operand of ${op}`);
  }

  private notBool(e: Expr, t: Ty, where: string): void {
    const what = quote(e);
    let help: string | undefined;
    if (what && isNumeric(t)) help = `compare it, e.g. \`${render(e)} > 0\``;
    else if (e.kind === 'name' && isStringLike(t)) help = `compare it, e.g. \`${e.name} == "…"\`, or test \`exists(${e.name})\``;
    this.ctx.report('LR304', e.span, where, what ? `${what} is` : 'it is', withArticle(t), help);
  }

  // ------------------------------------------------------------ arithmetic

  private arith(e: Extract<Expr, { kind: 'binary' }>): Ty {
    const l = this.infer(e.left);
    const r = this.infer(e.right);
    if (l.kind === 'unknown' || r.kind === 'unknown') return UNKNOWN;
    const result = arithResult(e.op, l, r);
    if (result) return result;
    const capable = (t: Ty) => isNumeric(t) || t.kind === 'duration' || t.kind === 'time';
    const ld = describe(e.left, l);
    const rd = describe(e.right, r);
    let span: Span = e.span;
    if (!capable(l) && capable(r)) span = e.left?.span ?? e.span;
    else if (capable(l) && !capable(r)) span = e.right?.span ?? e.span;
    let help: string | undefined;
    if (isStringLike(l) || isStringLike(r)) {
      const s = isStringLike(l) ? e.left : e.right;
      help = s?.kind === 'string' ? this.literalHint(s, NUMBER) : undefined;
    }
    this.ctx.report('LR300.cannotCombine', span, e.op, ld, rd, help);
    return UNKNOWN;
  }

  // ------------------------------------------------------------ comparisons

  private compare(e: Extract<Expr, { kind: 'compare' }>): Ty {
    const ls = this.isSymbol(e.left);
    const rs = this.isSymbol(e.right);
    const equality = e.op === '==' || e.op === '!=';
    let l: Ty;
    let r: Ty;
    if (ls && rs) {
      this.unknownName(e.left as Extract<Expr, { kind: 'name' }>, undefined);
      this.unknownName(e.right as Extract<Expr, { kind: 'name' }>, undefined);
      return BOOL;
    } else if (ls || rs) {
      const sym = (ls ? e.left : e.right) as Extract<Expr, { kind: 'name' }>;
      const other = ls ? e.right : e.left;
      const t = this.infer(other);
      if (equality) this.symbol(sym, t, other);
      else if (t.kind === 'state' || t.kind === 'enum')
        this.ctx.report('LR300.cannotOrderMembership', e.span, e.op, plural(t), render(other), sym.name);
      else this.unknownName(sym, t);
      return BOOL;
    }
    l = this.infer(e.left);
    r = this.infer(e.right);
    if (l.kind === 'unknown' || r.kind === 'unknown') return BOOL;
    if (equality) {
      if (!equatable(l, r)) {
        this.mismatch(e, l, r);
        return BOOL;
      }
      this.valueAgainst(e.right, l, e.left);
      this.valueAgainst(e.left, r, e.right);
    } else if (!orderable(l, r)) {
      this.mismatch(e, l, r);
      return BOOL;
    }
    this.randomCompare(e);
    this.rangeCompare(e.left, e.op, e.right);
    this.rangeCompare(e.right, flip(e.op), e.left);
    return BOOL;
  }

  private mismatch(e: Extract<Expr, { kind: 'compare' }>, l: Ty, r: Ty): void {
    let span: Span = e.span;
    const ll = isLiteral(e.left);
    const rl = isLiteral(e.right);
    if (rl && !ll) span = e.right.span;
    else if (ll && !rl) span = e.left.span;
    const equality = e.op === '==' || e.op === '!=';
    const hint = rl ? this.literalHint(e.right, l) : ll ? this.literalHint(e.left, r) : undefined;
    const unitless = !hint && (l.kind === 'duration' || r.kind === 'duration') && (isNumeric(l) || isNumeric(r));
    if (!equality && family(l) === family(r)) {
      if (unitless) this.ctx.report('LR300.cannotOrderUnit', span, e.op, plural(l));
      else this.ctx.report('LR300.cannotOrder', span, e.op, plural(l), hint);
    } else if (unitless) this.ctx.report('LR300.cannotCompareUnit', span, e.op, describe(e.left, l), describe(e.right, r));
    else this.ctx.report('LR300.cannotCompare', span, e.op, describe(e.left, l), describe(e.right, r), hint);
  }

  /** `random <= 0`, `random > 100`: LR303; `random <= 100`: LR309. */
  private randomCompare(e: Extract<Expr, { kind: 'compare' }>): void {
    let op = e.op;
    let lit: Expr | undefined;
    if (isRandom(e.left)) lit = e.right;
    else if (isRandom(e.right)) {
      lit = e.left;
      op = flip(op);
    } else return;
    const v = numericLiteral(lit);
    if (v === undefined || !lit) return;
    const set = randomSet((r) => compareNumbers(r, op, v));
    const n = countOf(set);
    const outside = v < 1 || v > 100;
    if (!outside && n > 0 && n < 100) return;
    const text = quote(e) ?? 'this comparison';
    if (outside || n === 0) {
      const verdict = n === 0 ? 'never true' : n === 100 ? 'always true' : `true only for random ${rangesText(set)}`;
      this.ctx.report(outside ? 'LR303.outside' : 'LR303.verdict', outside ? lit.span : e.span, text, verdict);
    } else if (n === 100) {
      this.ctx.report('LR309', e.span, text);
    }
  }

  /** A literal outside a field's declared range (LR308). */
  private rangeCompare(field: Expr | undefined, op: CompareOp | 'between' | 'in', lit: Expr | undefined): void {
    if (!field || field.kind !== 'name' || !lit) return;
    const f = this.fieldNamed(field);
    if (!f) return;
    const t = f.type;
    if (t.kind !== 'int' && t.kind !== 'number' && t.kind !== 'money') return;
    const v = numericLiteral(lit);
    if (v === undefined) return;
    const lo = t.min ?? (t.kind === 'money' ? 0 : undefined);
    const hi = t.max;
    const below = lo !== undefined && v < lo;
    const above = hi !== undefined && v > hi;
    if (!below && !above) return;
    const range = `${lo ?? '…'}..${hi ?? '…'}`;
    let verdict = '';
    if (op !== 'between' && op !== 'in') {
      // The literal is outside the range, so the comparison has one outcome
      // for every value the field can take.
      const sample = below ? lo! : hi!;
      const text = quote({ kind: 'compare', op, left: field, right: lit, span: field.span });
      verdict = compareNumbers(sample, op, v)
        ? `, so ${text ?? 'the comparison'} holds for every value it can take`
        : `, so ${text ?? 'the comparison'} is never true`;
    }
    const declared = t.min === undefined && t.kind === 'money' ? 'money is never negative' : `its declared range is ${range}`;
    this.ctx.report('LR308', lit.span, render(lit), field.name, declared, verdict);
  }

  private inList(e: Extract<Expr, { kind: 'in' }>): Ty {
    const word = e.negated ? '`not in`' : '`in`';
    if (e.list?.kind === 'list') {
      if (this.isSymbol(e.value)) {
        const lt = this.list(e.list.items, undefined);
        this.symbol(e.value, lt.kind === 'list' && lt.of ? lt.of : UNKNOWN, undefined);
        return BOOL;
      }
      const vt = this.infer(e.value);
      this.list(e.list.items, vt.kind === 'unknown' ? UNKNOWN : vt, e.value);
      const items = Array.isArray(e.list.items) ? e.list.items : [];
      if (isRandom(e.value)) {
        for (const item of items) {
          const v = numericLiteral(item);
          if (v !== undefined && (v < 1 || v > 100))
            this.ctx.report('LR303', item.span, render(item));
        }
      } else for (const item of items) this.rangeCompare(e.value, 'in', item);
      if (items.length === 0 && vt.kind !== 'unknown') {
        this.ctx.report(e.negated ? 'LR309.emptyList' : 'LR310.emptyList', e.list.span, quote(e) ?? 'this test');
      }
      return BOOL;
    }
    const lt = this.infer(e.list);
    if (lt.kind === 'unknown') {
      if (!this.isSymbol(e.value)) this.infer(e.value);
      return BOOL;
    }
    if (lt.kind !== 'list') {
      const what = quote(e.list);
      const help =
        e.list?.kind === 'string'
          ? `write a list: \`[${render(e.list)}]\``
          : isStringLike(lt) && what
            ? `to look for text in a string, use \`contains(${render(e.list)}, ${render(e.value)})\``
            : undefined;
      if (!this.isSymbol(e.value)) this.infer(e.value);
      this.ctx.report('LR300.inNeedsList', e.list?.span ?? e.span, word, what ?? 'this', withArticle(lt), help);
      return BOOL;
    }
    const of = lt.of ?? UNKNOWN;
    if (this.isSymbol(e.value)) {
      this.symbol(e.value, of, undefined);
      return BOOL;
    }
    const vt = this.infer(e.value);
    if (!equatable(vt, of)) {
      this.ctx.report('LR300.neverHolds', e.value?.span ?? e.span, describe(e.list, lt), describe(e.value, vt), this.literalHint(e.value, of));
      return BOOL;
    }
    this.valueAgainst(e.value, of, undefined);
    return BOOL;
  }

  private between(e: Extract<Expr, { kind: 'between' }>): Ty {
    const parts = [e.value, e.low, e.high];
    const types: Ty[] = [];
    for (const p of parts) {
      if (this.isSymbol(p)) {
        this.unknownName(p, undefined);
        types.push(UNKNOWN);
      } else types.push(this.infer(p));
    }
    const [vt, lt, ht] = types as [Ty, Ty, Ty];
    if (vt.kind === 'unknown') return BOOL;
    let ok = true;
    if (!isOrderable(vt)) {
      this.ctx.report('LR300.betweenType', e.value?.span ?? e.span, quote(e.value) ?? 'this', withArticle(vt));
      return BOOL;
    }
    for (const [bound, bt] of [
      [e.low, lt],
      [e.high, ht],
    ] as const) {
      if (!orderable(vt, bt)) {
        ok = false;
        this.ctx.report('LR300.betweenMismatch', bound?.span ?? e.span, describe(e.value, vt), describe(bound, bt), this.literalHint(bound, vt));
      }
    }
    if (!ok) return BOOL;
    const lo = numericLiteral(e.low);
    const hi = numericLiteral(e.high);
    if (isRandom(e.value)) {
      for (const [bound, v] of [
        [e.low, lo],
        [e.high, hi],
      ] as const) {
        if (v !== undefined && (v < 1 || v > 100) && bound)
          this.ctx.report('LR303.bound', bound.span, render(bound), String(v < 1 ? 1 : 100));
      }
      const set = randomAtom(e);
      if (set && lo !== undefined && hi !== undefined && lo >= 1 && hi <= 100 && lo <= hi && countOf(set) === 100)
        this.ctx.report('LR309.randomAlways', e.span, quote(e) ?? 'this test');
    } else {
      this.rangeCompare(e.value, 'between', e.low);
      this.rangeCompare(e.value, 'between', e.high);
    }
    if (lo !== undefined && hi !== undefined && lo > hi) {
      this.ctx.report(
        'LR310', e.span, quote(e) ?? 'this test', render(e.low), render(
          e.high,
        ), render(e.high),
      );
    }
    return BOOL;
  }

  /** `consented_at within 5m`: a time field, and a duration. */
  private within(e: Extract<Expr, { kind: 'within' }>): Ty {
    let vt: Ty;
    if (this.isSymbol(e.value)) {
      this.unknownName(e.value, undefined);
      vt = UNKNOWN;
    } else vt = this.infer(e.value);
    if (vt.kind !== 'unknown' && vt.kind !== 'time') {
      const what = quote(e.value) ?? 'this';
      if (vt.kind === 'duration') this.ctx.report('LR300.withinTimeDuration', e.value?.span ?? e.span, what, withArticle(vt), render(e.value), render(e.duration));
      else this.ctx.report('LR300.withinTime', e.value?.span ?? e.span, what, withArticle(vt));
    }
    let dt: Ty;
    if (this.isSymbol(e.duration)) {
      this.unknownName(e.duration, undefined);
      dt = UNKNOWN;
    } else dt = this.infer(e.duration);
    if (dt.kind !== 'unknown' && dt.kind !== 'duration') {
      this.ctx.report(isNumeric(dt) ? 'LR300.withinDurationUnit' : 'LR300.withinDuration', e.duration?.span ?? e.span, quote(e.duration) ?? 'this', withArticle(dt));
    }
    return BOOL;
  }

  // ------------------------------------------------------------ calls

  private call(e: Extract<Expr, { kind: 'call' }>): Ty {
    const name = e.callee?.name;
    const args = Array.isArray(e.args) ? e.args : [];
    if (typeof name !== 'string' || name === '') {
      for (const a of args) this.argType(a);
      return UNKNOWN;
    }
    if (!isBuiltin(name)) {
      const alias = FUNCTION_ALIASES[name.toLowerCase()];
      const help = this.ctx.fields.has(name)
        ? `\`${name}\` is a lead field; write it without parentheses`
        : (alias && `did you mean \`${alias}\`?`) ??
          didYouMean(name, BUILTIN_NAMES) ??
          `the functions are ${listText(BUILTIN_NAMES.map((b) => `\`${b}\``))}`;
      this.ctx.report('LR305', e.callee.span ?? e.span, name, help);
      for (const a of args) this.argType(a);
      return UNKNOWN;
    }
    const sig = builtin(name);
    const params = sig.params;
    if (args.length !== params.length) {
      this.ctx.report(
        'LR306', e.span, name, String(params.length), params.length === 1 ? 'argument' : 'arguments', args.length === 0 ? 'none was' : args.length === 1 ? '1 was' : `${args.length} were`, signatureText(name), sig.doc,
      );
      for (const a of args) this.argType(a);
      return resultType(sig, []);
    }
    // Two builtins type their arguments beyond a fixed signature.
    if (sig.fieldArgument) return this.existsCall(e, args[0]!);
    if (name === 'contains') return this.containsCall(args[0]!, args[1]!);
    const types: Ty[] = [];
    let ok = true;
    args.forEach((arg, i) => {
      const t = this.argType(arg);
      types.push(t);
      const p = params[i]!;
      if (t.kind !== 'unknown' && !accepts(p, t, sig)) {
        ok = false;
        this.ctx.report(
          'LR300.callArg', arg.span, name, sig.wants ?? paramText(p), quote(arg) ?? 'this', withArticle(t), this.literalHint(arg, p === 'number' ? NUMBER : STRING),
        );
      }
    });
    if (sig.zoneArgument && args[0]?.kind === 'string') this.zoneArg(args[0]);
    return ok ? resultType(sig, types) : resultType(sig, []);
  }

  private argType(a: Expr | undefined): Ty {
    if (this.isSymbol(a)) {
      this.unknownName(a, undefined);
      return UNKNOWN;
    }
    return this.infer(a);
  }

  private existsCall(e: Extract<Expr, { kind: 'call' }>, arg: Expr): Ty {
    if (arg.kind === 'name') {
      if (arg.name === 'random') {
        this.ctx.report('LR300.existsRandom', arg.span);
      } else if (this.fieldNamed(arg) === undefined) this.unknownName(arg, undefined);
      else if (!this.fieldNamed(arg)!.optional)
        this.ctx.report('LR309.required', e.span, arg.name, quote(e) ?? 'this test');
      return BOOL;
    }
    this.infer(arg);
    if (arg.kind !== 'error')
      this.ctx.report('LR300.existsExpression', arg.span, quote(arg) ?? 'this');
    return BOOL;
  }

  private containsCall(x: Expr, v: Expr): Ty {
    const xt = this.argType(x);
    if (xt.kind === 'unknown') {
      if (!this.isSymbol(v)) this.infer(v);
      return BOOL;
    }
    if (xt.kind === 'list') {
      const of = xt.of ?? UNKNOWN;
      if (this.isSymbol(v)) {
        this.symbol(v, of, undefined);
        return BOOL;
      }
      const vt = this.infer(v);
      if (!equatable(vt, of))
        this.ctx.report('LR300.neverHolds', v.span, describe(x, xt), describe(v, vt), this.literalHint(v, of));
      else this.valueAgainst(v, of, undefined);
      return BOOL;
    }
    if (isStringLike(xt)) {
      const vt = this.argType(v);
      if (vt.kind !== 'unknown' && !isStringLike(vt))
        this.ctx.report('LR300.containsText', v.span, describe(x, xt), quote(v) ?? 'this', withArticle(vt), this.literalHint(v, STRING));
      return BOOL;
    }
    this.argType(v);
    this.ctx.report('LR300.containsSubject', x.span, quote(x) ?? 'this', withArticle(xt));
    return BOOL;
  }

  /** `hour("America/Chicago")`: the zone must be a real one. */
  zoneArg(e: Extract<Expr, { kind: 'string' }>): void {
    if (isValidZone(e.value)) return;
    const best = closestZone(e.value);
    if (best) this.ctx.report('LR500', e.span, JSON.stringify(e.value), best);
    else this.ctx.report('LR500.noNear', e.span, JSON.stringify(e.value));
  }

  // ------------------------------------------------------------ truth

  /** LR309 / LR310 for a condition that cannot vary. Single comparisons that
   *  are constant are reported where they are found; this catches the rest. */
  private truth(e: Expr, where: string): void {
    // The condition's text is rendered only for a report: most conditions pass.
    const text = (): string => {
      const q = quote(e);
      return q ? `${where} ${q}` : where;
    };
    const c = constantValue(e);
    if (typeof c === 'boolean') {
      this.ctx.report(c ? 'LR309.constant' : 'LR310.constant', e.span, text());
      return;
    }
    if (e.kind !== 'logical' && !(e.kind === 'unary' && e.op === 'not')) return;
    const rand = pureRandomSet(e);
    if (rand) {
      // Leave a condition alone when a single comparison in it is already
      // out of range or constant: that comparison was reported.
      if (!randomAtomsVary(e)) return;
      const n = countOf(rand);
      if (n === 0)
        this.ctx.report('LR310.randomNone', e.span, text());
      else if (n === 100)
        this.ctx.report('LR309.randomEvery', e.span, text());
      return;
    }
    const conj = conjunction(this.ctx, e);
    if (conj.empty && !conj.atomEmpty) {
      const fields = [...conj.constraints.entries()].filter(([, c]) => isEmpty(c)).map(([k]) => k);
      const subject = fields.map((f) => (f.startsWith('#') ? '`random`' : `\`${f}\``));
      this.ctx.report('LR310.noValue', e.span, text(), listText(subject));
    }
  }
}

/** Whether every random comparison in a pure random condition is by itself
 *  neither empty nor full nor out of range. */
function randomAtomsVary(e: Expr | undefined, depth = 0): boolean {
  if (!e || depth > 200) return false;
  if (e.kind === 'logical') return randomAtomsVary(e.left, depth + 1) && randomAtomsVary(e.right, depth + 1);
  if (e.kind === 'unary' && e.op === 'not') return randomAtomsVary(e.arg, depth + 1);
  const set = randomAtom(e);
  if (!set) return false;
  const n = countOf(set);
  if (n === 0 || n === 100) return false;
  const lits =
    e.kind === 'compare' ? [e.left, e.right] : e.kind === 'between' ? [e.low, e.high] : e.kind === 'in' ? e.list.kind === 'list' ? e.list.items : [] : [];
  return lits.every((l) => {
    const v = numericLiteral(l);
    return v === undefined || (v >= 1 && v <= 100);
  });
}

function plural(t: Ty): string {
  const name = typeName(t);
  return name.endsWith('s') ? name : `${name}s`;
}

/** "`credit_score` (an int)", or "an int" for a long expression. */
export function describe(e: Expr | undefined, t: Ty): string {
  const what = quote(e);
  return what ? `${what} (${withArticle(t)})` : withArticle(t);
}

function accepts(p: BuiltinType, t: Ty, sig: BuiltinDef): boolean {
  switch (p) {
    case 'number':
    case 'int':
      return isNumeric(t) || t.kind === 'duration';
    case 'string':
      return isStringLike(t);
    case 'zip':
      return t.kind === 'zip' || t.kind === 'string';
    case 'time':
      return t.kind === 'time';
    case 'duration':
      return t.kind === 'duration';
    case 'list':
      return t.kind === 'list';
    case 'bool':
      return t.kind === 'bool';
    case 'any':
      return sig.sized ? isStringLike(t) || t.kind === 'list' : true;
  }
}

function paramText(p: BuiltinType): string {
  switch (p) {
    case 'number':
    case 'int':
      return 'a number';
    case 'string':
      return 'a string';
    case 'zip':
      return 'a ZIP code';
    case 'time':
      return 'a time field';
    case 'duration':
      return 'a duration';
    case 'list':
      return 'a list';
    case 'bool':
      return 'true or false';
    case 'any':
      return 'a value';
  }
}

const RESULT_TY: Record<BuiltinDef['result'], Ty> = {
  int: INT,
  number: NUMBER,
  string: STRING,
  state: { kind: 'state' },
  bool: BOOL,
  duration: DURATION,
};

/** A call's type: the builtin's result, or the joined argument kind when the builtin keeps it. */
function resultType(sig: BuiltinDef, args: Ty[]): Ty {
  let joined: Ty | undefined = args[0];
  for (let i = 1; i < args.length && joined; i++) joined = join(joined, args[i]!);
  if (sig.keeps && joined && (sig.keeps as readonly string[]).includes(joined.kind)) return bare(joined);
  return RESULT_TY[sig.result];
}

/** The type of `l op r`, or undefined when the operator does not apply. */
export function arithResult(op: '+' | '-' | '*' | '/', l: Ty, r: Ty): Ty | undefined {
  if (isNumeric(l) && isNumeric(r)) {
    const money = l.kind === 'money' || r.kind === 'money';
    const ints = l.kind === 'int' && r.kind === 'int';
    switch (op) {
      case '+':
      case '-':
      case '*':
        return money ? MONEY : ints ? INT : NUMBER;
      case '/':
        return l.kind === 'money' && r.kind !== 'money' ? MONEY : NUMBER;
    }
  }
  const dl = l.kind === 'duration';
  const dr = r.kind === 'duration';
  if (dl && dr) return op === '+' || op === '-' ? DURATION : op === '/' ? NUMBER : undefined;
  if (dl && isNumeric(r) && (op === '*' || op === '/')) return DURATION;
  if (dr && isNumeric(l) && op === '*') return DURATION;
  if (l.kind === 'time' && r.kind === 'time' && op === '-') return DURATION;
  if (l.kind === 'time' && dr && (op === '+' || op === '-')) return TIME;
  if (dl && r.kind === 'time' && op === '+') return TIME;
  return undefined;
}

/** Names other languages use for the built-ins, for "did you mean". */
const FUNCTION_ALIASES: Record<string, string> = {
  length: 'len',
  lenght: 'len',
  size: 'len',
  count: 'len',
  lowercase: 'lower',
  tolowercase: 'lower',
  uppercase: 'upper',
  touppercase: 'upper',
  includes: 'contains',
  has: 'contains',
  defined: 'exists',
  isset: 'exists',
  present: 'exists',
  zip_3: 'zip3',
  zipprefix: 'zip3',
  floor: 'round',
  ceil: 'round',
  dow: 'weekday',
  day_of_week: 'weekday',
};

/** Full state names to codes, for "the code for California is `CA`". */
const STATE_NAMES: Record<string, string> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO',
  connecticut: 'CT', delaware: 'DE', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID',
  illinois: 'IL', indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME',
  maryland: 'MD', massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO',
  montana: 'MT', nebraska: 'NE', nevada: 'NV', newhampshire: 'NH', newjersey: 'NJ', newmexico: 'NM',
  newyork: 'NY', northcarolina: 'NC', northdakota: 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR',
  pennsylvania: 'PA', rhodeisland: 'RI', southcarolina: 'SC', southdakota: 'SD', tennessee: 'TN', texas: 'TX',
  utah: 'UT', vermont: 'VT', virginia: 'VA', washington: 'WA', westvirginia: 'WV', wisconsin: 'WI',
  wyoming: 'WY', districtofcolumbia: 'DC', puertorico: 'PR', virginislands: 'VI', guam: 'GU',
  americansamoa: 'AS', northernmarianaislands: 'MP',
};
