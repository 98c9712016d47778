// POST /v3/auth/tokens: who the caller is (password, application_credential, token methods) and what the
// token is scoped to, with Keystone's errors (keystone/auth/core.py, keystone/auth/plugins/*.py).
// Keystone answers 401 with one generic message for every credential or scope failure, on purpose.
import { ApiFault } from "../core/faults";
import { DEFAULT_DOMAIN, type IdentityStore, type Principal, type Token, type User } from "../core/identity";

type Json = Record<string, any>;

/** keystone.exception.ValidationError: 400. */
const validation = (attribute: string, target: string) =>
  new ApiFault(
    400,
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is ` +
      `either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );
const unauthorized = () => new ApiFault(401, "The request you have made requires authentication.");
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `{"id"}` or `{"name"}` of a domain: only the default domain exists (unknown domains are a 401). */
function checkDomain(domain: unknown): void {
  if (!isObject(domain) || (domain.id === undefined && domain.name === undefined))
    throw validation("id or name", "domain");
  if (domain.id !== undefined ? domain.id !== DEFAULT_DOMAIN.id : domain.name !== DEFAULT_DOMAIN.name)
    throw unauthorized();
}

/** A user given as `{id}` or `{name, domain}`. */
function findUser(store: IdentityStore, user: unknown): User {
  if (!isObject(user)) throw validation("user", "password");
  if (user.id !== undefined) return store.findUser({ id: String(user.id) }) ?? throwUnauthorized();
  if (user.name === undefined) throw validation("id or name", "user");
  if (user.domain === undefined) throw validation("domain", "user");
  checkDomain(user.domain);
  return store.findUser({ name: String(user.name) }) ?? throwUnauthorized();
}

function throwUnauthorized(): never {
  throw unauthorized();
}

interface Identified {
  user: User;
  /** Set by the application_credential method: the token is scoped to the credential's project. */
  appCred?: { id: string; name: string };
  /** Set by the token method: the token being re-scoped. */
  fromToken?: Token;
}

function identify(store: IdentityStore, method: string, payload: unknown): Identified {
  if (!isObject(payload)) throw validation(method, "identity");
  switch (method) {
    case "password": {
      const user = findUser(store, payload.user);
      if (typeof payload.user.password !== "string" || payload.user.password !== user.password)
        throw unauthorized();
      return { user };
    }
    case "application_credential": {
      let cred;
      if (payload.id !== undefined) {
        cred = store.applicationCredentials.get(String(payload.id));
      } else {
        if (payload.name === undefined) throw validation("name or ID", "application credential");
        if (payload.user === undefined) throw validation("user", "application credential");
        const owner = findUser(store, payload.user);
        cred = [...store.applicationCredentials.values()].find(
          (c) => c.name === payload.name && c.userId === owner.id,
        );
      }
      if (!cred || typeof payload.secret !== "string" || payload.secret !== cred.secret) throw unauthorized();
      return { user: store.users.get(cred.userId)!, appCred: { id: cred.id, name: cred.name } };
    }
    case "token": {
      if (payload.id === undefined) throw validation("id", "token");
      const token = store.validate(String(payload.id));
      if (!token) throw new ApiFault(404, `Could not find token: ${payload.id}.`);
      return { user: store.users.get(token.principal.userId) ?? throwUnauthorized(), fromToken: token };
    }
    default:
      throw new ApiFault(401, "Attempted to authenticate with an unsupported method.");
  }
}

/** The project a `scope` names, by id or by name + domain. */
function scopedProject(store: IdentityStore, scope: Json) {
  const keys = ["project", "domain", "system", "unscoped", "OS-TRUST:trust"].filter((k) => k in scope);
  if (keys.length !== 1) throw validation("system, project, domain, OS-TRUST:trust or unscoped", "scope");
  if (keys[0] === "unscoped") return undefined;
  // Domain, system and trust scopes: nobody here holds a role on them.
  if (keys[0] !== "project") throw unauthorized();
  const project = scope.project;
  if (!isObject(project)) throw validation("project", "scope");
  if (project.id !== undefined) return store.findProject({ id: String(project.id) }) ?? throwUnauthorized();
  if (project.name === undefined) throw validation("id or name", "project");
  if (project.domain === undefined) throw validation("domain", "project");
  checkDomain(project.domain);
  return store.findProject({ name: String(project.name) }) ?? throwUnauthorized();
}

/** Authenticates a POST /v3/auth/tokens body and issues the token. */
export function authenticate(store: IdentityStore, body: unknown): Token {
  const auth = isObject(body) ? body.auth : undefined;
  if (!isObject(auth)) throw validation("auth", "request body");
  const identity = auth.identity;
  if (!isObject(identity)) throw validation("identity", "auth");
  const methods = identity.methods;
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === "string"))
    throw validation("methods", "identity");

  // Every method must succeed, for the same user.
  const results = methods.map((m: string) => identify(store, m, identity[m]));
  const { user } = results[0];
  if (results.some((r) => r.user.id !== user.id)) throw unauthorized();
  const appCred = results.find((r) => r.appCred)?.appCred;
  const fromToken = results.find((r) => r.fromToken)?.fromToken;

  let project;
  if (appCred) {
    if (auth.scope !== undefined) throw new ApiFault(401, "Application credentials cannot request a scope.");
    project = store.findProject({ id: user.projectId });
  } else if (fromToken?.applicationCredential) {
    if (auth.scope !== undefined)
      throw new ApiFault(
        403,
        "You are not authorized to perform the requested action: Using an application credential token to create a scoped token is not allowed.",
      );
    project = fromToken.unscoped ? undefined : store.findProject({ id: fromToken.principal.projectId });
  } else if (auth.scope !== undefined) {
    if (!isObject(auth.scope)) throw validation("project", "scope");
    project = scopedProject(store, auth.scope);
  }

  let principal: Principal;
  if (project) {
    principal = store.principalOf(user, project);
    // A user with no role on the project cannot scope to it.
    if (principal.roles.length === 0) throw unauthorized();
  } else {
    principal = {
      userId: user.id,
      userName: user.name,
      projectId: "",
      projectName: "",
      roles: [],
      isAdmin: false,
    };
  }
  const tokenMethods = fromToken ? ["token", ...fromToken.methods.filter((m) => m !== "token")] : methods;
  return store.issue(principal, tokenMethods, {
    unscoped: !project,
    applicationCredential: appCred ?? fromToken?.applicationCredential,
    // A re-scoped token keeps the original's expiry and audit chain.
    expiresAt: fromToken?.expiresAt,
    parentAuditIds: fromToken ? [fromToken.auditId] : undefined,
  });
}
