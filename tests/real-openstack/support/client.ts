// Raw HTTP to the real services: no retries, no interpretation, every status returned as it came. Shared by
// the mocha suite and the recorder. noauth: the token is "<user>:<project>"; Cinder makes every caller an
// admin, Nova only the user "admin", Manila everyone.
import axios, { AxiosInstance } from "axios";
import { RealEndpoints } from "./endpoints";

export type Service = "manila" | "cinder" | "nova";

export interface RawRequest {
  method: string;
  /** Path below the service root, e.g. "/v3/<project>/attachments". */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Header lines exactly as sent (names as written, repeated headers kept apart). */
  rawHeaders: Array<[string, string]>;
  /** Parsed JSON when the body is JSON, the text otherwise, null when empty. */
  body: unknown;
  text: string;
}

/** The microversion request header each service reads. */
export function microversionHeader(service: Service, version: string): Record<string, string> {
  switch (service) {
    case "manila":
      return { "X-OpenStack-Manila-API-Version": version };
    case "cinder":
      return { "OpenStack-API-Version": `volume ${version}` };
    case "nova":
      return { "OpenStack-API-Version": `compute ${version}` };
  }
}

/** The versioned API root below the service root (project in the path where the API wants one). */
export function apiRoot(service: Service, endpoints: RealEndpoints): string {
  switch (service) {
    case "manila":
      return `/v2/${endpoints.projectId}`;
    case "cinder":
      return `/v3/${endpoints.projectId}`;
    case "nova":
      return "/v2.1";
  }
}

export class RawClient {
  private readonly http: AxiosInstance;

  constructor(readonly endpoints: RealEndpoints) {
    this.http = axios.create({
      timeout: 60_000,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: (data) => data,
    });
  }

  baseUrl(service: Service): string {
    return this.endpoints[service];
  }

  async send(service: Service, req: RawRequest): Promise<RawResponse> {
    const res = await this.http.request({
      method: req.method,
      url: this.baseUrl(service) + req.path,
      headers: req.headers,
      data: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined && value !== null)
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    const raw: string[] =
      (res.request as { res?: { rawHeaders?: string[] } } | undefined)?.res?.rawHeaders ?? [];
    const rawHeaders: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) rawHeaders.push([raw[i], raw[i + 1]]);
    const text = typeof res.data === "string" ? res.data : "";
    let body: unknown = text === "" ? null : text;
    if (text !== "" && /json/.test(headers["content-type"] ?? "")) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, headers, rawHeaders, body, text };
  }
}
