// Who exists and which tokens are valid. Keystone's routes issue tokens from here; every service
// validates X-Auth-Token against it (the job keystonemiddleware does in a real deployment).
import { randomBytes, randomUUID } from "crypto";

export interface Project {
  id: string;
  name: string;
  domainId: string;
}

export interface User {
  id: string;
  name: string;
  domainId: string;
  password: string;
  /** The project the user is a member of, and the roles held there. */
  projectId: string;
  roles: string[];
}

export interface ApplicationCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
}

/** The caller of a request, as a service's policy engine sees it (with the request id: Nova's RequestContext). */
export interface Principal {
  userId: string;
  userName: string;
  projectId: string;
  projectName: string;
  roles: string[];
  isAdmin: boolean;
  /** The id the response carries (X-OpenStack-Request-Id); Nova records instance actions under it. */
  requestId?: string;
}

export interface Token {
  id: string;
  principal: Principal;
  methods: string[];
  issuedAt: Date;
  expiresAt: Date;
  auditId: string;
  /** Audit ids of the token this one was re-scoped from (Keystone's audit chain). */
  parentAuditIds?: string[];
  /** An unscoped token: no project, no roles, no catalog (the principal's project fields are empty). */
  unscoped?: boolean;
  /** Set when the token was issued for an application credential. */
  applicationCredential?: { id: string; name: string };
}

export const DEFAULT_DOMAIN = { id: "default", name: "Default" };

/** The documented seed identities (README "Simulator"). Ids are stable so examples can name them. */
export const SEED = {
  projects: [
    { id: "0a0d1c5e2b3f4a5b8c9d0e1f2a3b4c5d", name: "admin", domainId: "default" },
    { id: "1b1e2d6f3c4a5b6c9d0e1f2a3b4c5d6e", name: "demo", domainId: "default" },
  ],
  users: [
    {
      id: "a1f0c2e4b6d8a0c2e4f6a8b0c2d4e6f8",
      name: "admin",
      domainId: "default",
      password: "sim-admin-password",
      projectId: "0a0d1c5e2b3f4a5b8c9d0e1f2a3b4c5d",
      roles: ["admin", "member", "reader"],
    },
    {
      id: "b2e1d3f5c7a9b1d3f5e7a9c1b3d5f7a9",
      name: "demo",
      domainId: "default",
      password: "sim-demo-password",
      projectId: "1b1e2d6f3c4a5b6c9d0e1f2a3b4c5d6e",
      roles: ["member", "reader"],
    },
  ],
  applicationCredentials: [
    {
      id: "c3f2e4a6b8d0c2e4a6b8d0f2e4a6c8b0",
      name: "demo-appcred",
      secret: "sim-demo-appcred-secret",
      userId: "b2e1d3f5c7a9b1d3f5e7a9c1b3d5f7a9",
    },
  ],
};

export class IdentityStore {
  readonly projects = new Map<string, Project>();
  readonly users = new Map<string, User>();
  readonly applicationCredentials = new Map<string, ApplicationCredential>();
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly tokenTtlSeconds: () => number) {
    for (const p of SEED.projects) this.projects.set(p.id, { ...p });
    for (const u of SEED.users) this.users.set(u.id, { ...u, roles: [...u.roles] });
    for (const a of SEED.applicationCredentials) this.applicationCredentials.set(a.id, { ...a });
  }

  findUser(ref: { id?: string; name?: string; domainId?: string; domainName?: string }): User | undefined {
    if (ref.id) return this.users.get(ref.id);
    const domainOk = (u: User) =>
      (ref.domainId === undefined || ref.domainId === u.domainId) &&
      (ref.domainName === undefined || ref.domainName === DEFAULT_DOMAIN.name);
    return [...this.users.values()].find((u) => u.name === ref.name && domainOk(u));
  }

  findProject(ref: { id?: string; name?: string }): Project | undefined {
    if (ref.id) return this.projects.get(ref.id);
    return [...this.projects.values()].find((p) => p.name === ref.name);
  }

  principalOf(user: User, project: Project): Principal {
    const roles = user.projectId === project.id ? [...user.roles] : [];
    return {
      userId: user.id,
      userName: user.name,
      projectId: project.id,
      projectName: project.name,
      roles,
      isAdmin: roles.includes("admin"),
    };
  }

  /** `extra` carries what a token-method or application-credential authentication adds. */
  issue(
    principal: Principal,
    methods: string[],
    extra: Pick<Token, "parentAuditIds" | "unscoped" | "applicationCredential"> & { expiresAt?: Date } = {},
  ): Token {
    const now = new Date();
    const { expiresAt, ...rest } = extra;
    const token: Token = {
      // Fernet tokens are opaque url-safe strings of about 180 characters; length is not significant here.
      id: "gAAAA" + randomBytes(60).toString("base64url"),
      principal,
      methods,
      issuedAt: now,
      expiresAt: expiresAt ?? new Date(now.getTime() + this.tokenTtlSeconds() * 1000),
      auditId: randomBytes(16).toString("base64url").slice(0, 22),
      ...rest,
    };
    this.tokens.set(token.id, token);
    return token;
  }

  /** The token's principal, or undefined when the token is unknown, revoked or expired. */
  validate(tokenId: string | undefined): Token | undefined {
    if (!tokenId) return undefined;
    const token = this.tokens.get(tokenId);
    if (!token) return undefined;
    if (token.expiresAt.getTime() <= Date.now()) {
      this.tokens.delete(tokenId);
      return undefined;
    }
    return token;
  }

  revoke(tokenId: string): boolean {
    return this.tokens.delete(tokenId);
  }

  /** Expire every token now (control API), so clients must re-authenticate. */
  expireAll(): void {
    this.tokens.clear();
  }

  /**
   * A noauth deployment trusts `X-Auth-Token: <user>:<project>`. As in Nova's noauth2, the caller is
   * admin only when the user is named "admin".
   */
  static noauthPrincipal(header: string | undefined): Principal | undefined {
    if (!header) return undefined;
    const [user, project] = header.split(":");
    if (!user || !project) return undefined;
    const isAdmin = user === "admin";
    return {
      userId: user,
      userName: user,
      projectId: project,
      projectName: project,
      roles: isAdmin ? ["admin", "member", "reader"] : ["member", "reader"],
      isAdmin,
    };
  }
}

export const newId = (): string => randomUUID();
