// What the plan verifier asks of how a plan reads buyers' answers (a ping's
// `bid`, a post's `sale`) beyond what the schema states (non-empty paths and
// words, tests with at least one value): the rules the checker's LR714 keeps,
// so a plan written by hand cannot break them either.

import type { AnyPlan } from './declaration.js';
import type { PlanProblem } from './problems.js';

export function answerProblems(plan: AnyPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  plan.buyers.forEach((b, i) => {
    const at = `/buyers/${i}`;
    const seen = new Set<string>();
    (b.ping?.bid.carry ?? []).forEach((c, j) => {
      // `ping.id` is always the id leadroute sent.
      if (c.name === 'id') problems.push({ path: `${at}/ping/bid/carry/${j}/name`, message: "a carried value may not be named 'id' (ping.id is the ping's own id)" });
      else if (seen.has(c.name)) problems.push({ path: `${at}/ping/bid/carry/${j}/name`, message: `'${c.name}' is carried twice` });
      seen.add(c.name);
    });
    if (!b.sale) return;
    if (!b.post && !b.backupPost) problems.push({ path: `${at}/sale`, message: 'a buyer without a post has no post answer to read' });
    if (b.sale.accepted && (b.post?.accepted || b.backupPost?.accepted))
      problems.push({ path: `${at}/sale/accepted`, message: 'two accept rules: the post has its own `accepted`' });
  });
  return problems;
}
