// The whole simulated cloud: configuration, identities, and the models of each service, which call each
// other directly (Nova asks Cinder and Manila, as the real services do over their APIs).
import { CinderModel } from "../cinder/model";
import { ManilaModel } from "../manila/model";
import { NovaModel } from "../nova/model";
import type { SimulatorConfig } from "./config";
import { FaultInjector } from "./faultInjection";
import { IdentityStore } from "./identity";
import { RequestLog } from "./requestLog";
import { Transitions } from "./transitions";

export class World {
  readonly identity: IdentityStore;
  readonly transitions: Transitions;
  readonly requestLog = new RequestLog();
  readonly faults: FaultInjector;
  readonly nova: NovaModel;
  readonly cinder: CinderModel;
  readonly manila: ManilaModel;
  /** http://127.0.0.1:<port>, set once the server listens. */
  baseUrl = "";

  constructor(public config: SimulatorConfig) {
    this.identity = new IdentityStore(() => this.config.tokenTtlSeconds);
    this.transitions = new Transitions(
      (kind) => this.config.transitions[kind] ?? this.config.transitions.default ?? 0,
    );
    this.faults = new FaultInjector(config.seed);
    for (const rule of config.faults) this.faults.add(rule);
    this.cinder = new CinderModel(this);
    this.manila = new ManilaModel(this);
    this.nova = new NovaModel(this);
  }

  /** Forgets every resource, pending transition, fault and log entry; identities stay. */
  reset(): void {
    this.transitions.cancelAll();
    this.transitions.log.length = 0;
    this.requestLog.clear();
    this.faults.remove();
    this.nova.reset();
    this.cinder.reset();
    this.manila.reset();
  }
}
