// The binder's records: for every name in a rule file, the symbol it denotes,
// and every checked expression's type, in side tables keyed by the AST node.
// The binder (./binder.ts) fills them, the checker reads and adds to them, the
// emitter and (later) a language server read them. Apart from the binder so
// the checker's context can hold them without loading the binder's pass (and
// through it the models, which load the context).

import type { BuiltinDef, BuiltinName } from '../core/builtins.js';
import type { ScopedName, ScopedNameDef } from '../core/scoped-names.js';
import type { BuyerDecl, Expr, FlowDecl, Ident } from '../lang/ast.js';
import type { LeadField, Ty } from './types.js';

export type NameSymbol =
  | { kind: 'field'; field: LeadField }
  | { kind: 'buyer'; decl: BuyerDecl }
  | { kind: 'flow'; decl: FlowDecl }
  | { kind: 'builtin'; name: BuiltinName; def: BuiltinDef }
  | { kind: 'scoped'; name: ScopedName; def: ScopedNameDef }
  | { kind: 'random' }
  | { kind: 'state'; code: string }
  /** A value of an enum field; `field` is the one it is compared with, when known. */
  | { kind: 'enum'; value: string; field?: LeadField }
  | { kind: 'unresolved'; name: string };

/** A named node: an expression `name`, or an identifier. */
export type NamedNode = Extract<Expr, { kind: 'name' }> | Ident;

export interface Binding {
  node: NamedNode;
  symbol: NameSymbol;
}

/** The binder's and checker's side tables for one rule file. */
export class Bindings {
  private readonly symbols = new Map<NamedNode, NameSymbol>();
  /** Types as recorded, a node and its type at a time; `types` is made from
   *  them on the first lookup. Nothing in compiling reads a type back, and
   *  appending to a list costs a fraction of a map's hashing on a large file. */
  private readonly typeLog: (Expr | Ty)[] = [];
  private types: Map<Expr, Ty> | null = null;
  /** Named nodes in binding order; `sorted` is them by position, built on the first lookup. */
  private readonly order: NamedNode[] = [];
  private sorted: NamedNode[] | null = null;

  bind(node: NamedNode, symbol: NameSymbol): void {
    const size = this.symbols.size;
    this.symbols.set(node, symbol);
    if (this.symbols.size !== size) {
      this.order.push(node);
      this.sorted = null;
    }
  }

  symbolOf(node: NamedNode): NameSymbol | undefined {
    return this.symbols.get(node);
  }

  /** Recorded by the checker as it infers each expression's type. */
  setType(e: Expr, t: Ty): void {
    if (this.types !== null) this.types.set(e, t);
    else this.typeLog.push(e, t);
  }

  typeOf(e: Expr): Ty | undefined {
    if (this.types === null) {
      // In recording order, so a node typed twice keeps its last type, as a map would.
      const types = new Map<Expr, Ty>();
      for (let i = 0; i < this.typeLog.length; i += 2) types.set(this.typeLog[i] as Expr, this.typeLog[i + 1] as Ty);
      this.typeLog.length = 0;
      this.types = types;
    }
    return this.types.get(e);
  }

  /** Every binding, in source order. */
  all(): Binding[] {
    return this.bySpan().map((node) => ({ node, symbol: this.symbols.get(node)! }));
  }

  /** The name under a 0-based source offset (hover, go-to-definition): names never overlap, so a binary search. */
  at(offset: number): Binding | undefined {
    const nodes = this.bySpan();
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = nodes[mid]!;
      if (offset < n.span.start) hi = mid - 1;
      else if (offset >= n.span.end) lo = mid + 1;
      else return { node: n, symbol: this.symbols.get(n)! };
    }
    return undefined;
  }

  private bySpan(): NamedNode[] {
    if (this.sorted === null) this.sorted = [...this.order].sort((a, b) => a.span.start - b.span.start);
    return this.sorted;
  }
}
