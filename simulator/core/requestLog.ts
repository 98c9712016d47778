// What the simulator was asked, for tests and benchmarks: a bounded log and per-route counters.
export interface RequestRecord {
  at: number;
  method: string;
  /** The path without the query string. */
  path: string;
  /** The route template that matched (e.g. "/compute/v2.1/servers/:server_id"), or the path. */
  route: string;
  service: string;
  status: number;
  durationMs: number;
  /** Set when the response was produced by fault injection. */
  injected?: string;
}

const MAX_RECORDS = 200_000;

export class RequestLog {
  readonly records: RequestRecord[] = [];
  readonly counters = new Map<string, number>();

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
    const key = `${record.method} ${record.route}`;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  clear(): void {
    this.records.length = 0;
    this.counters.clear();
  }
}
