// Cycles: buyers whose `overflow` chain comes back to them (LR404), a rule's
// `route A … overflow B` whose chain from B returns to A (LR404), closed-hours
// `when closed send X` chains (with overflows) that return (LR404), and flows
// that reach themselves through `flow NAME`, `fallback` steps or a
// specialization's `else flow` (LR405).

import type { Action, BuyerDecl, FlowDecl, Ident } from '../lang/ast.js';
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
  const onCycle = new Set<string>();
  // Each buyer has at most one overflow edge, so every cycle is found by
  // walking from its first-declared member.
  for (const start of edges.keys()) {
    if (onCycle.has(start)) continue;
    const path = [start];
    const seen = new Set([start]);
    let at = start;
    for (;;) {
      const next = edges.get(at)?.name;
      if (next === undefined) break;
      if (next === start) {
        for (const p of path) onCycle.add(p);
        const last = edges.get(at)!;
        const text = [...path, start].join(' → ');
        ctx.report(
          'LR404',
          edges.get(start)!.span ?? last.span,
          path.length === 1
            ? `buyer \`${start}\` overflows to itself`
            : `overflow cycle: ${text}`,
          path.length === 1
            ? 'a capped buyer cannot take its own overflow; name another buyer or drop `overflow`'
            : 'a lead every buyer in the cycle turns away would go round forever; end the chain at a buyer without `overflow`',
        );
        break;
      }
      if (seen.has(next)) break; // a cycle not through `start`: found from its own first member
      seen.add(next);
      path.push(next);
      at = next;
    }
  }

  // `route A … overflow B` where B's chain leads back to A.
  for (const flow of flows) {
    for (const rule of rulesOf(flow)) {
      const a = rule.action;
      if (a?.kind !== 'route' || !a.overflow || !a.buyer) continue;
      const from = a.buyer.name;
      const to = a.overflow.name;
      if (from === to || onCycle.has(from) || !ctx.buyers.has(from) || !ctx.buyers.has(to)) continue;
      const path = [from, to];
      const seen = new Set(path);
      let at = to;
      for (;;) {
        const next = edges.get(at)?.name;
        if (next === undefined) break;
        path.push(next);
        if (next === from) {
          ctx.report(
            'LR404',
            a.overflow.span,
            `overflow cycle: ${path.join(' → ')} (this rule overflows \`${from}\` to \`${to}\`, whose overflow chain returns to \`${from}\`)`,
            `overflow to a buyer whose chain does not lead back to \`${from}\``,
          );
          break;
        }
        if (seen.has(next)) break;
        seen.add(next);
        at = next;
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
  const order: string[] = [];
  for (const b of buyers) {
    const name = b?.name?.name;
    if (typeof name !== 'string' || order.includes(name)) continue;
    order.push(name);
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
      ctx.report(
        'LR404',
        to.span,
        `buyer \`${from}\` sends the leads it gets while closed to itself`,
        'a closed buyer cannot take the leads it turns away; send them to another buyer, or `hold` them',
      );
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
  for (const comp of stronglyConnected(order, (n) => edgesOf(n).map((e) => e.to))) {
    if (comp.length < 2) continue;
    const members = new Set(comp);
    // The first-declared member whose send stays inside the component.
    const from = order.find((n) => members.has(n) && send.has(n) && members.has(send.get(n)!.name));
    if (from === undefined) continue; // overflows only: reported elsewhere
    const target = send.get(from)!;
    // Shortest way back from the send's target to `from`, inside the component.
    const prev = new Map<string, { at: string; kind: Edge['kind'] }>();
    const queue = [target.name];
    const seen = new Set(queue);
    while (queue.length > 0 && !seen.has(from)) {
      const at = queue.shift()!;
      for (const e of edgesOf(at)) {
        if (!members.has(e.to) || seen.has(e.to)) continue;
        seen.add(e.to);
        prev.set(e.to, { at, kind: e.kind });
        queue.push(e.to);
      }
    }
    if (!seen.has(from)) continue;
    const steps: { from: string; to: string; kind: Edge['kind'] }[] = [];
    for (let at = from; at !== target.name; ) {
      const p = prev.get(at);
      if (!p) break;
      steps.unshift({ from: p.at, to: at, kind: p.kind });
      at = p.at;
    }
    steps.unshift({ from, to: target.name, kind: 'send' });
    const text = steps
      .map((st) => `\`${st.from}\` ${st.kind === 'send' ? 'sends to' : 'overflows to'} \`${st.to}\`${st.kind === 'send' ? ' when closed' : ''}`)
      .join(', ');
    ctx.report(
      'LR404',
      target.span,
      `cycle: ${text}, so a lead no buyer in it can take would go round forever`,
      'end the chain at a buyer that neither overflows nor sends, or `hold` the lead instead',
    );
  }
}

type FlowEdge = { ident: Ident; via: 'flow' | 'fallback' | 'specialize' };

/** The flows an action hands leads to. */
function flowEdgesOf(ctx: CheckContext, a: Action | undefined): FlowEdge[] {
  if (!a || typeof a !== 'object') return [];
  const known = (i: Ident | undefined): i is Ident => !!i && typeof i.name === 'string' && ctx.flows.has(i.name);
  if (a.kind === 'flow') return known(a.flow) ? [{ ident: a.flow, via: 'flow' }] : [];
  if (a.kind === 'fallback') {
    const steps = Array.isArray(a.steps) ? a.steps : [];
    return steps.map((s) => s?.flow).filter(known).map((ident) => ({ ident, via: 'fallback' as const }));
  }
  if (a.kind === 'specialize' && a.fallback?.kind === 'flow' && known(a.fallback.name))
    return [{ ident: a.fallback.name, via: 'specialize' }];
  return [];
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

  const order = [...edges.keys()];
  for (const comp of components) {
    const members = new Set(comp);
    const selfLoop = comp.length === 1 && (edges.get(comp[0]!) ?? []).some((e) => e.ident.name === comp[0]);
    if (comp.length === 1 && !selfLoop) continue;
    // Start from the first-declared member and walk inside the component
    // until the path closes.
    const start = order.find((n) => members.has(n))!;
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
    ctx.report(
      'LR405',
      closing.ident.span,
      path.length === 2 ? `flow \`${path[0]}\` routes through itself` : `flow cycle: ${path.join(' → ')}`,
      closing.via === 'flow'
        ? 'a lead would go round forever; remove one of the `flow` actions'
        : closing.via === 'fallback'
          ? 'a lead would go round forever; a fallback chain may not lead back to a flow it comes from'
          : 'a lead would go round forever; end with `else` a buyer, or a flow that does not lead back here',
    );
  }
}
