// Mocha root-hook plugin (.mocharc.json "require"): the secret scan of the whole test run (secretScan.ts).
//
// Captured: process stdout/stderr writes; every line the client core logs (whatever logger a test set);
// errors thrown by sessions (connect, request, ...) and by resource implementations, and the implementations'
// results (outputs, check failures) without the outputs a kind marks secret; provider hosts' stderr and gRPC
// answers (tests/support/providerHost.ts calls captureText/captureJson); the `__provider` text of every SDK
// class; the errors of failed tests. Both copies of the code a run may load are covered: the TypeScript
// sources and the compiled dist/ (provider hosts and the serialized provider load dist/).
//
// Searched for: the simulator's seeded passwords and application-credential secret, every token a simulator
// in this process issued, every CHAP username and password of Cinder connection info it created, and every
// value the client core registered as secret (passwords, tokens and secrets of unit tests' fake clouds).
// The root afterAll prints one line and fails the run on any hit.
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { SEED } from "../../simulator/core/identity";
import { repoRoot } from "./buildDist";
import {
  SecretScan,
  activateSecretScan,
  addSecretValue,
  captureError,
  captureJson,
  captureText,
} from "./secretScan";
import { sdkProviderTexts } from "./serializedProvider";

const load = createRequire(__filename);
const scan = new SecretScan();
activateSecretScan(scan);

/** Both copies of a module: the TypeScript source and, when built, its dist/ twin. */
function bothCopies(relative: string): any[] {
  const copies = [load(path.join(repoRoot, relative))];
  const compiled = path.join(repoRoot, "dist", `${relative}.js`);
  if (fs.existsSync(compiled)) copies.push(load(compiled));
  return copies;
}

/** Replaces `owner[name]` with a function that calls `spy` on its result or error (sync or async). */
function spyOn(
  owner: any,
  name: string,
  spy: { result?: (value: any, args: any[]) => void; error?: (error: unknown) => void },
): void {
  const original = owner[name];
  if (typeof original !== "function" || original.__secretScan) return;
  const wrapped = function (this: unknown, ...args: any[]) {
    let value: any;
    try {
      value = original.apply(this, args);
    } catch (error) {
      spy.error?.(error);
      throw error;
    }
    if (value && typeof value.then === "function") {
      return value.then(
        (resolved: any) => {
          spy.result?.(resolved, args);
          return resolved;
        },
        (error: unknown) => {
          spy.error?.(error);
          throw error;
        },
      );
    }
    spy.result?.(value, args);
    return value;
  };
  wrapped.__secretScan = true;
  owner[name] = wrapped;
}

// ------------------------------------------------------------------------------ what is searched for

for (const user of SEED.users) addSecretValue(`password of simulator user ${user.name}`, user.password);
for (const credential of SEED.applicationCredentials) {
  addSecretValue("simulator application-credential secret", credential.secret);
}
for (const identity of bothCopies("simulator/core/identity")) {
  spyOn(identity.IdentityStore.prototype, "issue", {
    result: (token) => addSecretValue("token issued by a simulator", token.id),
  });
}
for (const driver of bothCopies("simulator/cinder/fakeDriver")) {
  spyOn(driver, "newExport", {
    result: (exported) => {
      addSecretValue("CHAP username of a simulator volume", exported.chapUsername);
      addSecretValue("CHAP password of a simulator volume", exported.chapPassword);
    },
  });
}
for (const logModule of bothCopies("provider/openstack/log")) {
  spyOn(logModule, "registerSecret", {
    result: (_none, [value]) => addSecretValue("a value the client core registered as secret", value),
  });
}

// ------------------------------------------------------------------------------ what is captured

for (const stream of ["stdout", "stderr"] as const) {
  const target = process[stream] as any;
  const write = target.write;
  target.write = function (chunk: unknown, ...rest: unknown[]) {
    captureText(stream, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return write.apply(this, [chunk, ...rest]);
  };
}

for (const logModule of bothCopies("provider/openstack/log")) {
  for (const level of ["debug", "info", "warn"]) {
    const original = logModule.log[level];
    logModule.log[level] = (message: string) => {
      captureText("client core log", logModule.redact(message));
      return original(message);
    };
  }
}

for (const sessionModule of bothCopies("provider/openstack/session")) {
  spyOn(sessionModule, "connect", { error: (error) => captureError("connect", error) });
  const prototype = sessionModule.Session.prototype;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    if (name === "constructor" || typeof descriptor.value !== "function") continue;
    spyOn(prototype, name, { error: (error) => captureError(`Session.${name}`, error) });
  }
}

/** Every resource implementation (an export with check, create, read and delete) of provider/resources. */
function implementations(): { kind: string; impl: any }[] {
  const found: { kind: string; impl: any }[] = [];
  const dir = path.join(repoRoot, "provider", "resources");
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith(".ts") || file.endsWith(".d.ts") || file === "index.ts") continue;
    for (const copy of bothCopies(path.join("provider", "resources", file.slice(0, -3)))) {
      for (const value of Object.values(copy)) {
        const impl = value as any;
        if (impl && ["check", "create", "read", "delete"].every((m) => typeof impl[m] === "function")) {
          found.push({ kind: file.slice(0, -3), impl });
        }
      }
    }
  }
  return found;
}

for (const { kind, impl } of implementations()) {
  const secret: string[] = impl.outputs?.secret ?? [];
  for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
    spyOn(impl, method, {
      result: (value) => captureJson(`${kind}.${method} result`, value, secret),
      error: (error) => captureError(`${kind}.${method}`, error, secret),
    });
  }
}

// ------------------------------------------------------------------------------ the check

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    const test = this.currentTest;
    if (test?.state === "failed") captureError(`failed test "${test.fullTitle()}"`, test.err);
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    for (const [kind, text] of Object.entries(await sdkProviderTexts())) {
      captureText(`__provider of ${kind}`, text);
    }
    process.stdout.write(`\n${scan.check()}\n`);
  },
};
