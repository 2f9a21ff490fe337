// The plan is declared in src/plan; this path stays for the modules that import it from here.
export type * from '../plan/declaration.js';
export { PLAN_VERSION, DEFAULT_PING_TIMEOUT_MS, DEFAULT_AUCTION_TIMEOUT_MS, DEFAULT_POST_TIMEOUT_MS } from '../plan/declaration.js';
