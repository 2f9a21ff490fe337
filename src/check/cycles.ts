// Cycles: buyers whose `overflow` chain comes back to them (LR404), a rule's
// `route A … overflow B` whose chain from B returns to A (LR404), closed-hours
// `when closed send X` chains (with overflows) that return (LR404), and flows
// that reach themselves through `flow NAME`, `fallback` steps or a
// specialization's `else flow` (LR405).

import type { Action, BuyerDecl, FlowDecl, Ident } from '../lang/ast.js';
import { modelOf, type FlowRef, type OverflowRef } from '../models/index.js';
import type { CheckContext } from './context.js';
import { rulesOf } from './flows.js';

/** Each buyer's first `overflow` target (a second one is LR209). */
function overflowEdges(ctx: CheckContext, buyers: BuyerDecl[]): Map<string, Ident> {
  const edges = new Map<string, Ident>();
  const declared = new Set<string>();
  for (const b of buyers) {
    const name = b?.name?.name;
    if (typeof name !== 'string' || declared.has(name)) continue;
    declared.add(name);
    for (const c of Array.isArray(b.clauses) ? b.clauses : []) {
      if (c?.kind === 'overflow' && c.target && ctx.buyers.has(c.target.name)) {
        edges.set(name, c.target);
        break;
      }
    }
  }
  return edges;
}

export function checkOverflowCycles(ctx: CheckContext, buyers: BuyerDecl[], flows: FlowDecl[]): void {
  const edges = overflowEdges(ctx, buyers);
  const onCycle = reportOverflowCycles(ctx, edges);
  checkRuleOverflows(ctx, edges, onCycle, flows);
}

/**
 * Each buyer has at most one overflow edge, so the graph is functional: walks
 * from every buyer in declaration order, each buyer visited once over all the
 * walks (linear in the buyers, however long the chains). A cycle is reported
 * from its first-declared member.
 */
function reportOverflowCycles(ctx: CheckContext, edges: Map<string, Ident>): Set<string> {
  const order = new Map<string, number>();
  for (const name of edges.keys()) order.set(name, order.size);
  const walkOf = new Map<string, number>(); // buyer → the walk that first reached it
  const onCycle = new Set<string>();
  const cycles: string[][] = [];
  let walk = 0;
  for (const start of edges.keys()) {
    if (walkOf.has(start)) continue;
    walk++;
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !walkOf.has(at)) {
      walkOf.set(at, walk);
      path.push(at);
      at = edges.get(at)?.name;
    }
    if (at === undefined || walkOf.get(at) !== walk) continue; // ends, or joins an earlier walk
    const cycle = path.slice(path.indexOf(at));
    let first = 0;
    for (let i = 1; i < cycle.length; i++) if (order.get(cycle[i]!)! < order.get(cycle[first]!)!) first = i;
    const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
    for (const p of rotated) onCycle.add(p);
    cycles.push(rotated);
  }
  for (const path of cycles) {
    const start = path[0]!;
    if (path.length === 1) ctx.report('LR404.selfOverflow', edges.get(start)!.span, start);
    else ctx.report('LR404.overflowCycle', edges.get(start)!.span, [...path, start].join(' → '));
  }
  return onCycle;
}

/**
 * Where each buyer sits in the forest of overflow chains read backwards (a
 * buyer's children are the buyers that overflow to it; roots are chain ends
 * and cycle members): `from` lies on the chain from `to` exactly when `to` is
 * in `from`'s subtree, an interval test on entry/exit numbers from one
 * iterative walk.
 */
function chainIntervals(edges: Map<string, Ident>, onCycle: Set<string>): Map<string, [number, number]> {
  const children = new Map<string, string[]>();
  const nodes = new Set<string>();
  for (const [from, to] of edges) {
    nodes.add(from);
    nodes.add(to.name);
    if (onCycle.has(from)) continue; // cycle members are roots
    const list = children.get(to.name);
    if (list) list.push(from);
    else children.set(to.name, [from]);
  }
  const span = new Map<string, [number, number]>();
  let clock = 0;
  for (const root of nodes) {
    if (!onCycle.has(root) && edges.has(root)) continue; // not a root
    const stack: [string, number][] = [[root, 0]];
    span.set(root, [clock++, -1]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const kids = children.get(top[0]) ?? [];
      if (top[1] < kids.length) {
        const kid = kids[top[1]++]!;
        span.set(kid, [clock++, -1]);
        stack.push([kid, 0]);
      } else {
        span.get(top[0])![1] = clock++;
        stack.pop();
      }
    }
  }
  return span;
}

/** `route A … overflow B` where B's chain leads back to A. */
function checkRuleOverflows(ctx: CheckContext, edges: Map<string, Ident>, onCycle: Set<string>, flows: FlowDecl[]): void {
  let intervals: Map<string, [number, number]> | undefined;
  for (const flow of flows) {
    for (const rule of rulesOf(flow)) {
      for (const { from: fromId, to: toId } of overflowsOf(rule.action)) {
        const from = fromId.name;
        const to = toId.name;
        if (from === to || onCycle.has(from) || !ctx.buyers.has(from) || !ctx.buyers.has(to)) continue;
        intervals ??= chainIntervals(edges, onCycle);
        const f = intervals.get(from);
        const t = intervals.get(to);
        if (!f || !t || !(f[0] < t[0] && t[1] < f[1])) continue;
        const path = [from, to];
        for (let at = to; at !== from; ) {
          at = edges.get(at)!.name;
          path.push(at);
        }
        ctx.report('LR404', toId.span, path.join(' → '), from, to);
      }
    }
  }
}

/** Tarjan's strongly connected components, iterative (a long chain cannot
 *  overflow the JS stack). */
function stronglyConnected(nodes: string[], succ: (n: string) => string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const enter = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
  };
  for (const root of nodes) {
    if (idx.has(root)) continue;
    enter(root);
    const work: [string, number][] = [[root, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [node, i] = top;
      const out = succ(node);
      if (i < out.length) {
        top[1]++;
        const w = out[i]!;
        if (!idx.has(w)) {
          enter(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(node, Math.min(low.get(node)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
      }
      if (low.get(node) === idx.get(node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== node);
        components.push(comp);
      }
    }
  }
  return components;
}

/** `when closed send X`: a buyer that sends its closed-hours leads to itself,
 *  or round a chain of sends and overflows back to itself (LR404). Cycles of
 *  overflows alone are reported by checkOverflowCycles. */
export function checkClosedCycles(ctx: CheckContext, buyers: BuyerDecl[]): void {
  const overflow = overflowEdges(ctx, buyers);
  const send = new Map<string, Ident>();
  const declared = new Map<string, number>(); // name → declaration index
  for (const b of buyers) {
    const name = b?.name?.name;
    if (typeof name !== 'string' || declared.has(name)) continue;
    declared.set(name, declared.size);
    for (const c of Array.isArray(b.clauses) ? b.clauses : []) {
      if (c?.kind === 'closed' && c.action === 'send' && c.target && ctx.buyers.has(c.target.name)) {
        send.set(name, c.target);
        break;
      }
    }
  }
  if (send.size === 0) return;
  for (const [from, to] of send) {
    if (to.name === from)
      ctx.report('LR404.closedToSelf', to.span, from);
  }
  type Edge = { to: string; kind: 'overflow' | 'send' };
  const edgesOf = (n: string): Edge[] => {
    const out: Edge[] = [];
    const o = overflow.get(n);
    if (o) out.push({ to: o.name, kind: 'overflow' });
    const s = send.get(n);
    if (s && s.name !== n) out.push({ to: s.name, kind: 'send' });
    return out;
  };
  for (const comp of stronglyConnected([...declared.keys()], (n) => edgesOf(n).map((e) => e.to))) {
    if (comp.length < 2) continue;
    const members = new Set(comp);
    // The first-declared member whose send stays inside the component.
    const from = firstDeclared(
      comp.filter((n) => send.has(n) && members.has(send.get(n)!.name)),
      declared,
    );
    if (from === undefined) continue; // overflows only: reported elsewhere
    const target = send.get(from)!;
    // Shortest way back from the send's target to `from`, inside the component.
    const prev = new Map<string, { at: string; kind: Edge['kind'] }>();
    const queue = [target.name];
    const seen = new Set(queue);
    for (let head = 0; head < queue.length && !seen.has(from); head++) {
      const at = queue[head]!;
      for (const e of edgesOf(at)) {
        if (!members.has(e.to) || seen.has(e.to)) continue;
        seen.add(e.to);
        prev.set(e.to, { at, kind: e.kind });
        queue.push(e.to);
      }
    }
    if (!seen.has(from)) continue;
    const back: { from: string; to: string; kind: Edge['kind'] }[] = [];
    for (let at = from; at !== target.name; ) {
      const p = prev.get(at);
      if (!p) break;
      back.push({ from: p.at, to: at, kind: p.kind });
      at = p.at;
    }
    const steps = [{ from, to: target.name, kind: 'send' as const }, ...back.reverse()];
    const text = steps
      .map((st) => `\`${st.from}\` ${st.kind === 'send' ? 'sends to' : 'overflows to'} \`${st.to}\`${st.kind === 'send' ? ' when closed' : ''}`)
      .join(', ');
    ctx.report('LR404.mixedCycle', target.span, text);
  }
}

/** The member of `names` declared first. */
function firstDeclared(names: string[], declared: Map<string, number>): string | undefined {
  let best: string | undefined;
  for (const n of names) if (best === undefined || declared.get(n)! < declared.get(best)!) best = n;
  return best;
}

type FlowEdge = FlowRef;

/** The declared flows an action hands leads to, as its routing model declares them. */
function flowEdgesOf(ctx: CheckContext, a: Action | undefined): FlowEdge[] {
  if (!a || typeof a !== 'object') return [];
  const refs = modelOf(a.kind)?.traits.flows(a) ?? [];
  return refs.filter((r) => typeof r.ident?.name === 'string' && ctx.flows.has(r.ident.name));
}

/** The rule-level overflow pairs of an action, as its routing model declares them. */
function overflowsOf(a: Action | undefined): OverflowRef[] {
  if (!a || typeof a !== 'object') return [];
  return (modelOf(a.kind)?.traits.overflows(a) ?? []).filter((o) => typeof o.from?.name === 'string' && typeof o.to?.name === 'string');
}

export function checkFlowCycles(ctx: CheckContext, flows: FlowDecl[]): void {
  // Edges in source order: flow → [(target, ident)].
  const edges = new Map<string, FlowEdge[]>();
  for (const f of flows) {
    const name = f?.name?.name;
    if (typeof name !== 'string' || edges.has(name)) continue;
    const out: FlowEdge[] = [];
    for (const rule of rulesOf(f)) out.push(...flowEdgesOf(ctx, rule.action));
    edges.set(name, out);
  }
  const components = stronglyConnected([...edges.keys()], (n) => (edges.get(n) ?? []).map((e) => e.ident.name));

  const declared = new Map<string, number>();
  for (const name of edges.keys()) declared.set(name, declared.size);
  for (const comp of components) {
    const members = new Set(comp);
    const selfLoop = comp.length === 1 && (edges.get(comp[0]!) ?? []).some((e) => e.ident.name === comp[0]);
    if (comp.length === 1 && !selfLoop) continue;
    // Start from the first-declared member and walk inside the component
    // until the path closes.
    const start = firstDeclared(comp, declared)!;
    const path = [start];
    const pos = new Map([[start, 0]]);
    let at = start;
    let closing: FlowEdge | undefined;
    for (let guard = 0; guard <= comp.length; guard++) {
      const next = (edges.get(at) ?? []).find((e) => members.has(e.ident.name));
      if (!next) break;
      if (pos.has(next.ident.name)) {
        closing = next;
        path.splice(0, pos.get(next.ident.name)!);
        path.push(next.ident.name);
        break;
      }
      pos.set(next.ident.name, path.length);
      path.push(next.ident.name);
      at = next.ident.name;
    }
    if (!closing) continue;
    const via = closing.via === 'flow' ? 'Flow' : closing.via === 'fallback' ? 'Fallback' : 'Else';
    if (path.length === 2) ctx.report(`LR405.self${via}`, closing.ident.span, path[0]!);
    else ctx.report(via === 'Flow' ? 'LR405' : `LR405.cycle${via}`, closing.ident.span, path.join(' → '));
  }
}
