// The simulator: synthetic leads for a plan, routing on a simulated clock, a
// per-buyer summary (text, JSON) and a self-contained HTML report.
export { generateLeads, numericSeed, usesSampleLeads, type GenerateOptions } from './leads.js';
export {
  simulate,
  DEFAULT_FROM,
  DEFAULT_RATE_PER_HOUR,
  SKIP_CODES,
  type SimulateOptions,
  type SimSummary,
  type BuyerSummary,
  type HourSummary,
} from './simulate.js';
export { targetShares, type RuleCounts } from './targets.js';
export { formatSummary, buyerTable } from './table.js';
export { renderReport } from './report.js';
