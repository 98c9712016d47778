// Tiny HTTP servers for the client-core tests: a route table on 127.0.0.1, port 0, that records requests.
// Deliberately not the simulator: these tests pin the client's own behaviour, byte by byte.
import * as http from "http";
import * as https from "https";
import { AddressInfo } from "net";
import { Credentials } from "../../../provider/openstack";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json?: any;
  /** The client's port: equal for requests on one reused connection. */
  remotePort?: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: unknown;
  /** Close the connection without answering (ECONNRESET / socket hang up on the client). */
  destroy?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests whose method and path match. */
  count(method: string, pathPrefix: string): number;
  route(method: string, path: string | RegExp, handler: Handler | Reply): void;
  close(): Promise<void>;
}

export async function startServer(tlsOptions?: https.ServerOptions): Promise<FakeServer> {
  const routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const requests: RecordedRequest[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        remotePort: req.socket.remotePort,
        body,
      };
      try {
        recorded.json = body ? JSON.parse(body) : undefined;
      } catch {
        // not JSON
      }
      requests.push(recorded);
      const pathOnly = recorded.path.split("?")[0];
      const route = [...routes]
        .reverse()
        .find(
          (r) =>
            r.method === recorded.method &&
            (typeof r.path === "string" ? r.path === pathOnly : r.path.test(pathOnly)),
        );
      const reply: Reply = route
        ? await route.handler(recorded)
        : { status: 599, body: `no route ${pathOnly}` };
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      let payload = "";
      if (typeof reply.body === "string") payload = reply.body;
      else if (reply.body !== undefined) {
        payload = JSON.stringify(reply.body);
        headers["content-type"] ??= "application/json";
      }
      res.writeHead(reply.status ?? 200, headers);
      res.end(payload);
    });
  };
  const server = tlsOptions ? https.createServer(tlsOptions, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tlsOptions ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    count: (method, prefix) =>
      requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length,
    route(method, path, handler) {
      routes.push({ method, path, handler: typeof handler === "function" ? handler : () => handler });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Keystone token response for `url`'s services (compute, volumev3, sharev2 at /compute, /volume, /share). */
export function tokenBody(
  base: string,
  options: { projectId?: string; regions?: string[]; expiresInMs?: number; extraCatalog?: any[] } = {},
) {
  const regions = options.regions ?? ["RegionOne"];
  const project = options.projectId ?? "p-1";
  const endpoints = (path: string) =>
    regions.flatMap((region) =>
      ["public", "internal", "admin"].map((iface) => ({
        interface: iface,
        region,
        region_id: region,
        url: `${base}/${region}/${iface}${path}`,
      })),
    );
  const now = Date.now();
  return {
    token: {
      methods: ["password"],
      issued_at: new Date(now).toISOString(),
      expires_at: new Date(now + (options.expiresInMs ?? 3600_000)).toISOString(),
      project: { id: project, name: "demo", domain: { id: "default", name: "Default" } },
      user: { id: "u-1", name: "alice", domain: { id: "default", name: "Default" } },
      roles: [
        { id: "r-1", name: "member" },
        { id: "r-2", name: "reader" },
      ],
      catalog: [
        { type: "compute", name: "nova", endpoints: endpoints("/compute/v2.1") },
        { type: "volumev3", name: "cinderv3", endpoints: endpoints(`/volume/v3/${project}`) },
        { type: "sharev2", name: "manilav2", endpoints: endpoints(`/share/v2/${project}`) },
        ...(options.extraCatalog ?? []),
      ],
    },
  };
}

/** Routes POST /v3/auth/tokens to hand out tokens "tok-1", "tok-2", ... with `tokenBody`. */
export function routeKeystone(
  server: FakeServer,
  options: Parameters<typeof tokenBody>[1] = {},
): { issued: () => number } {
  let issued = 0;
  server.route("POST", "/v3/auth/tokens", () => {
    issued++;
    return {
      status: 201,
      headers: { "x-subject-token": `tok-${issued}` },
      body: tokenBody(server.url, options),
    };
  });
  return { issued: () => issued };
}

/** No-auth credentials (X-Auth-Token admin:<project>) with the given endpoints. */
export function noauthCredentials(
  endpointOverrides: Credentials["endpointOverrides"],
  projectId = "p",
): Credentials {
  return {
    authType: "none",
    userId: "admin",
    projectId,
    interface: "public",
    insecure: false,
    endpointOverrides,
    source: "test",
  };
}
