// Cycles: buyers whose `overflow` chain comes back to them (LR404), a rule's
// `route A … overflow B` whose chain from B returns to A (LR404), and flows
// that reach themselves through `flow NAME` actions (LR405).

import type { BuyerDecl, FlowDecl, Ident } from '../lang/ast.js';
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

export function checkFlowCycles(ctx: CheckContext, flows: FlowDecl[]): void {
  // Edges in source order: flow → [(target, ident)].
  const edges = new Map<string, Ident[]>();
  for (const f of flows) {
    const name = f?.name?.name;
    if (typeof name !== 'string' || edges.has(name)) continue;
    const out: Ident[] = [];
    for (const rule of rulesOf(f)) {
      const a = rule.action;
      if (a?.kind === 'flow' && a.flow && ctx.flows.has(a.flow.name)) out.push(a.flow);
    }
    edges.set(name, out);
  }
  // Tarjan's strongly connected components; one report per component.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const strong = (v: string): void => {
    // Iterative, so a long chain of flows cannot overflow the JS stack.
    const work: [string, number][] = [[v, 0]];
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [node, i] = top;
      const out = edges.get(node) ?? [];
      if (i < out.length) {
        top[1]++;
        const w = out[i]!.name;
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index);
          index++;
          stack.push(w);
          onStack.add(w);
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
  };
  for (const v of edges.keys()) if (!idx.has(v)) strong(v);

  const order = [...edges.keys()];
  for (const comp of components) {
    const members = new Set(comp);
    const selfLoop = comp.length === 1 && (edges.get(comp[0]!) ?? []).some((e) => e.name === comp[0]);
    if (comp.length === 1 && !selfLoop) continue;
    // Start from the first-declared member and walk inside the component
    // until the path closes.
    const start = order.find((n) => members.has(n))!;
    const path = [start];
    const pos = new Map([[start, 0]]);
    let at = start;
    let closing: Ident | undefined;
    for (let guard = 0; guard <= comp.length; guard++) {
      const next = (edges.get(at) ?? []).find((e) => members.has(e.name));
      if (!next) break;
      if (pos.has(next.name)) {
        closing = next;
        path.splice(0, pos.get(next.name)!);
        path.push(next.name);
        break;
      }
      pos.set(next.name, path.length);
      path.push(next.name);
      at = next.name;
    }
    if (!closing) continue;
    ctx.report(
      'LR405',
      closing.span,
      path.length === 2 ? `flow \`${path[0]}\` routes through itself` : `flow cycle: ${path.join(' → ')}`,
      'a lead would go round forever; remove one of the `flow` actions',
    );
  }
}
