// What is wrong with a plan: problems by JSON path, and the error loadPlan throws.

export interface PlanProblem {
  /** JSON pointer into the plan ("/buyers/0/caps/0/limit"; "/" for the root). */
  path: string;
  message: string;
}

/** An invalid plan. `message` lists every problem, one per line, by JSON path. */
export class PlanError extends Error {
  readonly problems: PlanProblem[];
  constructor(problems: PlanProblem[]) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
    super(`invalid routing plan (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'PlanError';
    this.problems = problems;
  }
}
