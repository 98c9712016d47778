// Error bodies exactly as the services build them (FACTS.md §0.3).

const FAULT_NAMES: Record<number, string> = {
  400: "badRequest",
  401: "unauthorized",
  403: "forbidden",
  404: "itemNotFound",
  405: "badMethod",
  409: "conflictingRequest",
  413: "overLimit",
  415: "badMediaType",
  501: "notImplemented",
  503: "serviceUnavailable",
};

/** The wrapper key Nova, Cinder and Manila use for a status code; anything unlisted is `computeFault`. */
export function faultName(status: number, service?: "compute" | "volume" | "share"): string {
  if (status === 429 && service === "compute") return "overLimit";
  return FAULT_NAMES[status] ?? "computeFault";
}

/**
 * An API error raised by a model or a route. The HTTP layer turns it into the service's fault body.
 * `retryAfter` adds the body field and the Retry-After header (413/429).
 */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiFault(400, message);
export const forbidden = (message: string) => new ApiFault(403, message);
export const notFound = (message = "The resource could not be found.") => new ApiFault(404, message);
export const conflict = (message: string) => new ApiFault(409, message);

/** `{"<faultName>": {"code", "message"[, "retryAfter"]}}`. */
export function faultBody(
  status: number,
  message: string,
  service?: "compute" | "volume" | "share",
  retryAfter?: number,
): Record<string, unknown> {
  const inner: Record<string, unknown> = { code: status, message };
  if (retryAfter !== undefined) inner.retryAfter = String(retryAfter);
  return { [faultName(status, service)]: inner };
}

/** What keystonemiddleware (and Keystone itself) answer for a missing, invalid or expired token. */
export const KEYSTONE_401_BODY = {
  error: {
    code: 401,
    title: "Unauthorized",
    message: "The request you have made requires authentication.",
  },
};
