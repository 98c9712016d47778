// Scripted or random faults, matched against each service request before it reaches a route.

export interface FaultRule {
  /** Assigned when the rule is added. */
  id?: string;
  /** HTTP method to match (any when absent). */
  method?: string;
  /** A regular expression tested against the request path (any when absent). */
  path?: string;
  /** "status": answer with `status` (fault body of the service); "reset": destroy the connection;
   * "delay": wait `delayMs`, then handle the request normally. */
  action: "status" | "reset" | "delay";
  status?: number;
  message?: string;
  /** Seconds, sent as Retry-After (and the body's retryAfter) with 413/429. */
  retryAfter?: number;
  delayMs?: number;
  /** Chance that a matching request is hit (0..1, default 1). */
  probability?: number;
  /** Matching requests to let through before the rule starts hitting. */
  skip?: number;
  /** How many hits the rule has left (unlimited when absent); the rule is removed at 0. */
  count?: number;
}

/** mulberry32: a tiny seeded PRNG, so random fault runs can be replayed with the same seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private rules: (FaultRule & { seen: number; re?: RegExp })[] = [];
  private random: () => number;
  private nextId = 1;
  hits = 0;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  add(rule: FaultRule): FaultRule {
    if (!["status", "reset", "delay"].includes(rule.action))
      throw new Error(`unknown fault action ${rule.action}`);
    if (rule.action === "status" && !rule.status) throw new Error("a status fault needs `status`");
    const stored = {
      ...rule,
      id: rule.id ?? `fault-${this.nextId++}`,
      seen: 0,
      re: rule.path ? new RegExp(rule.path) : undefined,
    };
    this.rules.push(stored);
    return this.describe(stored);
  }

  list(): FaultRule[] {
    return this.rules.map((r) => this.describe(r));
  }

  remove(id?: string): void {
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** The first rule that hits this request, if any (consuming one of its `count`). */
  match(method: string, path: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.re && !rule.re.test(path)) continue;
      rule.seen++;
      if (rule.skip !== undefined && rule.seen <= rule.skip) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.count !== undefined) {
        rule.count--;
        if (rule.count <= 0) this.rules = this.rules.filter((r) => r !== rule);
      }
      this.hits++;
      return this.describe(rule);
    }
    return undefined;
  }

  private describe(rule: FaultRule & { seen?: number; re?: RegExp }): FaultRule {
    const { seen: _seen, re: _re, ...plain } = rule;
    return plain;
  }
}
