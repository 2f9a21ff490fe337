// Selling against mock buyers (`:mock CONFIG`, `repl --buyers CONFIG`): the
// mock buyers of a configuration (src/mock) run on 127.0.0.1 on free ports,
// and the plan's URLs that name a configured port are pointed at them, as
// `leadroute demo --ephemeral` does (redirectPlan). A plan that names any
// other host is refused: the REPL never sends a lead to a real buyer.

import { Seller, type Sale } from '../auction/index.js';
import type { Plan } from '../compile/index.js';
import { redirectPlan } from '../cli/sell-buyers.js';
import type { Io } from '../cli/io.js';
import { loadMockConfig } from '../cli/mock-buyers.js';
import { MOCK_HOST, MockBuyersError, startMockBuyers, withEphemeralPorts, type MockBuyers } from '../mock/index.js';
import { Router, type RouteOptions, type RouterStore } from '../runtime/index.js';

export class MockTarget {
  private seller: Seller | null = null;

  private constructor(
    readonly configFile: string,
    private readonly servers: MockBuyers,
    /** Configured port → the port its mock buyer listens on. */
    private readonly ports: Map<number, number>,
    private readonly store: RouterStore,
    private seed: string,
  ) {}

  /** Start the mock buyers of `configFile`; a problem is thrown as a MockError with a readable message. */
  static async start(configFile: string, cwd: string, store: RouterStore): Promise<MockTarget> {
    const problems: string[] = [];
    const io: Io = { out: () => undefined, err: (t) => problems.push(t.replace(/\n$/, '')), color: false, cwd };
    let config;
    try {
      config = loadMockConfig(configFile, io);
    } catch (err) {
      throw new MockError((err as Error).message);
    }
    if (config === null) throw new MockError(problems.join('\n'));
    let servers: MockBuyers;
    try {
      servers = await startMockBuyers(withEphemeralPorts(config));
    } catch (err) {
      if (err instanceof MockBuyersError) throw new MockError(err.message);
      throw err;
    }
    const ports = new Map<number, number>();
    config.buyers.forEach((b, i) => {
      if (b.port) ports.set(b.port, servers.buyers[i]!.port);
    });
    return new MockTarget(configFile, servers, ports, store, '0');
  }

  /** The mock buyers listening: `SunPeak :40123, …`. */
  describe(): string {
    return this.servers.buyers.map((b) => `${b.name} :${b.port}`).join(', ');
  }

  /** Requests the mock buyers have answered (pings, posts, pixels). */
  requests(): number {
    return this.servers.stats().buyers.reduce((n, b) => n + b.requests, 0);
  }

  /**
   * Sell with `plan` (its URLs pointed at the mock buyers) from now on, on the
   * session's store. Throws a MockError, and keeps nothing, when the plan names
   * a host other than the mock buyers'.
   */
  async retarget(plan: Plan, seed: string): Promise<void> {
    const { plan: redirected, external } = redirectPlan(plan, this.ports);
    if (external.length > 0) {
      await this.dropSeller();
      throw new MockError(`the REPL only sends to mock buyers on ${MOCK_HOST}, but the rules name other hosts:\n${external.map((e) => `  ${e}`).join('\n')}`);
    }
    await this.dropSeller();
    this.seed = seed;
    this.seller = new Seller(new Router(redirected, { store: this.store, seed, trace: true }));
  }

  /** Route and sell one lead: auctions ping the mock buyers, sales are posted to them. */
  async sell(lead: unknown, opts: RouteOptions): Promise<Sale> {
    if (this.seller === null) throw new MockError('the mock buyers have no plan to sell with');
    return this.seller.sell(lead, { ...opts, seed: opts.seed ?? this.seed });
  }

  private async dropSeller(): Promise<void> {
    const s = this.seller;
    this.seller = null;
    if (s !== null) await s.close();
  }

  async close(): Promise<void> {
    await this.dropSeller();
    await this.servers.close();
  }
}

export class MockError extends Error {}
