// The binder: names resolved once. It records, for every name in a rule file
// (a bare name in an expression, a call's callee, a buyer or flow named by an
// action or clause, a field named by `requires`/`dedupe`/a fallback rewrite),
// the symbol it denotes, in a side table keyed by the AST node. The checker
// adds every inferred expression's type to the same tables. The emitter reads
// them instead of resolving names again; a language server answers hover and
// go-to-definition from `Bindings.at`.
//
// Binding is not checking: a name that denotes nothing is bound as
// `unresolved` and the checker reports it. A bare name that is no field is a
// value of the enum or state it is compared with (`state == CA`, `bill in [low]`).

import { builtin, isBuiltin, type BuiltinName } from '../core/builtins.js';
import { isScopedName, scopedName } from '../core/scoped-names.js';
import type { Action, BuyerDecl, Expr, FlowDecl, Ident, RuleFile, Span } from '../lang/ast.js';
import { US_STATES } from '../lang/builtins.js';
import { modelOf, type BindEnv } from '../models/index.js';
import { Bindings, type NameSymbol } from './bindings.js';
import type { LeadField, LeadType } from './types.js';

/** The field a bare value is compared with or assigned to, and the type its values have (a list field's element type). */
interface Hint {
  field: LeadField;
  type: LeadType;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';
const isSpanned = (v: unknown): v is { span: Span } => isObject(v) && isObject(v.span) && typeof v.span.start === 'number';
const array = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : []);

/** Bind every name of a rule file, given its resolved lead fields. */
export function bind(file: RuleFile, fields: readonly LeadField[], into = new Bindings()): Bindings {
  new Binder(file, fields, into).run();
  return into;
}

/** One symbol object per declaration, shared by every name that denotes it. */
function memo<K, V>(make: (k: K) => V): (k: K) => V {
  const cache = new Map<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) cache.set(k, (v = make(k)));
    return v;
  };
}

const RANDOM: NameSymbol = { kind: 'random' };
/** US_STATES as a set: every bare name that is no field is looked up here. */
const STATE_CODES: ReadonlySet<string> = new Set(US_STATES);

class Binder {
  private readonly fieldSymbol = memo((field: LeadField): NameSymbol => ({ kind: 'field', field }));
  private readonly buyerSymbol = memo((decl: BuyerDecl): NameSymbol => ({ kind: 'buyer', decl }));
  private readonly flowSymbol = memo((decl: FlowDecl): NameSymbol => ({ kind: 'flow', decl }));
  private readonly builtinSymbol = memo((name: BuiltinName): NameSymbol => ({ kind: 'builtin', name, def: builtin(name) }));
  private readonly fields = new Map<string, LeadField>();
  private readonly buyers = new Map<string, BuyerDecl>();
  private readonly flows = new Map<string, FlowDecl>();

  constructor(
    private readonly file: RuleFile,
    fieldList: readonly LeadField[],
    private readonly out: Bindings,
  ) {
    // The first declaration of a name wins, as in the checker.
    for (const f of fieldList) if (!this.fields.has(f.name)) this.fields.set(f.name, f);
    for (const b of array(file?.buyers)) if (isObject(b) && typeof b.name?.name === 'string' && !this.buyers.has(b.name.name)) this.buyers.set(b.name.name, b);
    for (const f of array(file?.flows)) if (isObject(f) && typeof f.name?.name === 'string' && !this.flows.has(f.name.name)) this.flows.set(f.name.name, f);
  }

  run(): void {
    for (const b of array(this.file?.buyers)) if (isObject(b)) this.buyer(b);
    for (const f of array(this.file?.flows)) {
      if (!isObject(f)) continue;
      if (isSpanned(f.name)) this.out.bind(f.name, this.flowSymbol(f));
      for (const r of array(f.rules)) {
        if (!isObject(r)) continue;
        if (r.kind === 'when') this.expr(r.condition);
        this.action(r.action);
      }
    }
    for (const a of array(this.file?.alerts)) if (isObject(a)) this.buyerRef(a.buyer);
  }

  // ------------------------------------------------------------ declarations

  private buyer(b: BuyerDecl): void {
    if (isSpanned(b.name)) this.out.bind(b.name, this.buyerSymbol(b));
    for (const c of array(b.clauses)) {
      if (!isObject(c)) continue;
      switch (c.kind) {
        case 'overflow':
          this.buyerRef(c.target);
          break;
        case 'closed':
          this.buyerRef(c.target);
          break;
        case 'requires':
        case 'dedupe':
          for (const f of array(c.fields)) this.fieldRef(f);
          if (c.kind === 'dedupe') this.expr(c.window);
          break;
        case 'ping':
          for (const f of array(c.ping?.fields)) this.fieldRef(f);
          this.anyExprs(c.ping);
          break;
        default:
          this.anyExprs(c);
      }
    }
  }

  /** An action's names, as its routing model lists them (src/models/). */
  private action(a: Action | undefined): void {
    if (isObject(a)) modelOf(a.kind)?.bind(a, this.actionEnv);
  }

  private readonly actionEnv: BindEnv = {
    buyer: (id) => this.buyerRef(id),
    flow: (id) => this.flowRef(id),
    field: (id) => this.fieldRef(id),
    expr: (e, assignedTo) => this.expr(e, assignedTo && { field: assignedTo, type: assignedTo.type }),
  };

  private buyerRef(id: Ident | undefined): void {
    if (!isSpanned(id) || typeof id.name !== 'string') return;
    const decl = this.buyers.get(id.name);
    this.out.bind(id, decl ? this.buyerSymbol(decl) : { kind: 'unresolved', name: id.name });
  }

  private flowRef(id: Ident | undefined): void {
    if (!isSpanned(id) || typeof id.name !== 'string') return;
    const decl = this.flows.get(id.name);
    this.out.bind(id, decl ? this.flowSymbol(decl) : { kind: 'unresolved', name: id.name });
  }

  private fieldRef(id: Ident | undefined): LeadField | undefined {
    if (!isSpanned(id) || typeof id.name !== 'string') return undefined;
    const field = this.fields.get(id.name);
    this.out.bind(id, field ? this.fieldSymbol(field) : { kind: 'unresolved', name: id.name });
    return field;
  }

  /** The expressions inside a clause (`price`, `accepts`, timeouts, a pixel's condition…). */
  private anyExprs(o: unknown, depth = 0): void {
    if (!isObject(o) || depth > 8) return;
    // A loop over keys rather than Object.entries: no arrays made per clause.
    for (const key in o) {
      if (key === 'span' || !Object.hasOwn(o, key)) continue;
      const v = o[key];
      if (!Array.isArray(v)) this.anyExpr(v, depth);
      else for (const x of v as unknown[]) this.anyExpr(x, depth);
    }
  }

  private anyExpr(x: unknown, depth: number): void {
    if (isExpr(x)) this.expr(x);
    else if (isObject(x)) this.anyExprs(x, depth + 1);
  }

  // ------------------------------------------------------------ expressions

  /** `hint`: the field this expression is compared with or assigned to, for bare enum/state values. */
  private expr(e: Expr | undefined, hint?: Hint): void {
    if (!isObject(e) || typeof e.kind !== 'string') return;
    switch (e.kind) {
      case 'name':
        this.name(e, hint);
        return;
      case 'list':
        for (const item of array(e.items)) this.expr(item, hint && elementHint(hint));
        return;
      case 'unary':
        this.expr(e.arg);
        return;
      case 'binary':
      case 'logical':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'compare':
        this.expr(e.left, this.fieldOf(e.right));
        this.expr(e.right, this.fieldOf(e.left));
        return;
      case 'in': {
        this.expr(e.value, this.fieldOf(e.list, true));
        this.expr(e.list, this.fieldOf(e.value));
        return;
      }
      case 'between':
        this.expr(e.value);
        this.expr(e.low, this.fieldOf(e.value));
        this.expr(e.high, this.fieldOf(e.value));
        return;
      case 'within':
        this.expr(e.value);
        this.expr(e.duration);
        return;
      case 'call':
        this.call(e);
        return;
      case 'number':
      case 'string':
      case 'bool':
      case 'money':
      case 'duration':
      case 'percent':
      case 'error':
        return;
      default: {
        const never: never = e;
        void never;
      }
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>): void {
    const callee = e.callee;
    if (isSpanned(callee) && typeof callee.name === 'string') {
      this.out.bind(
        callee,
        isBuiltin(callee.name) ? this.builtinSymbol(callee.name) : { kind: 'unresolved', name: callee.name },
      );
    }
    const args = array(e.args);
    // `contains(list, v)`: v is a value of the list's elements.
    const listField = callee?.name === 'contains' ? this.fieldOf(args[0]) : undefined;
    args.forEach((a, i) => this.expr(a, i === 1 && listField ? elementHint(listField) : undefined));
  }

  private name(e: Extract<Expr, { kind: 'name' }>, hint: Hint | undefined): void {
    const name = e.name;
    if (typeof name !== 'string' || !isSpanned(e)) return;
    this.out.bind(e, this.resolve(name, hint));
  }

  private resolve(name: string, hint: Hint | undefined): NameSymbol {
    if (name === 'random') return RANDOM;
    if (isScopedName(name)) return { kind: 'scoped', name, def: scopedName(name) };
    const field = this.fields.get(name);
    if (field) return this.fieldSymbol(field);
    const t = hint?.type;
    if (t?.kind === 'enum' && t.values.includes(name)) return { kind: 'enum', value: name, field: hint!.field };
    if (STATE_CODES.has(name)) return { kind: 'state', code: name };
    for (const f of this.fields.values()) if (f.type.kind === 'enum' && f.type.values.includes(name)) return { kind: 'enum', value: name, field: f };
    return { kind: 'unresolved', name };
  }

  /** The hint a bare field name gives what it is compared with (`inList`: its list's elements). */
  private fieldOf(e: Expr | undefined, inList = false): Hint | undefined {
    if (!isObject(e) || e.kind !== 'name' || typeof e.name !== 'string') return undefined;
    const field = this.fields.get(e.name);
    if (!field) return undefined;
    const hint = { field, type: field.type };
    return inList ? elementHint(hint) : hint;
  }
}

/** A list's elements: `CA in states` compares CA with a state. */
function elementHint(h: Hint): Hint {
  return h.type.kind === 'list' ? { field: h.field, type: h.type.of } : h;
}

const EXPR_KINDS = new Set([
  'number', 'string', 'bool', 'money', 'duration', 'percent', 'list', 'name',
  'unary', 'binary', 'compare', 'logical', 'in', 'between', 'within', 'call', 'error',
]);

function isExpr(v: unknown): v is Expr {
  return isObject(v) && typeof v.kind === 'string' && EXPR_KINDS.has(v.kind) && isSpanned(v);
}

export { Bindings, type Binding, type NameSymbol, type NamedNode } from './bindings.js';
