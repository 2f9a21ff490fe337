// Shared by the REPL tests: a REPL on a rule file at a fixed clock, and sample leads.
import { createRepl, type Repl, type ReplOptions } from '../../src/repl/index.js';
import { ROOT } from '../cli/helpers.js';

/** A Monday afternoon (UTC): the solar buyers are open. */
export const MONDAY = Date.parse('2026-11-23T15:00:00Z');

export function replOn(file: string, options: Partial<ReplOptions> = {}): Promise<Repl> {
  return createRepl({ file, cwd: ROOT, clock: () => MONDAY, ...options });
}

/** A homeowner in California with good credit, as `field=value` pairs for rules/solar.route. */
export const CA_HOMEOWNER =
  'id=L1 state=CA zip=90210 homeowner=true electric_bill=200-300 credit_score=720 lead_score=50 source=google ' +
  'loan_amount=$300000 created_at=2026-11-23T00:00:00Z email=pat@example.com phone=213-555-0101 first_name=Pat last_name="Lee Jr"';

export const CA_HOMEOWNER_JSON = {
  id: 'L1',
  state: 'CA',
  zip: '90210',
  homeowner: true,
  electric_bill: '200-300',
  credit_score: 720,
  lead_score: 50,
  source: 'google',
  loan_amount: 300000,
  created_at: '2026-11-23T00:00:00Z',
  email: 'pat@example.com',
  phone: '213-555-0101',
  first_name: 'Pat',
  last_name: 'Lee Jr',
};
