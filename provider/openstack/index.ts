// The OpenStack client core: what provider/<service>/ and provider/resources/ import. See README.md here.
export { connect, Session } from "./session";
export type { SessionOptions, RequestOptions, GoneCheck } from "./session";
export {
  resolveCredentials,
  setStackConfig,
  readStackConfig,
  getStackConfig,
  CREDENTIAL_KEYS,
} from "./credentials";
export type {
  AuthType,
  ConfigReader,
  CredentialRequest,
  Credentials,
  EndpointInterface,
  ResolveOptions,
  StackConfig,
} from "./credentials";
export {
  OpenStackError,
  ConfigurationError,
  ScopeMismatchError,
  UnsupportedMicroversionError,
  hasStatus,
  isNotFound,
  isConflict,
  isBadRequest,
  isForbidden,
  isConnectionError,
  isTransientFailure,
  isBusyConflict,
  parseErrorBody,
} from "./errors";
export type { OpenStackErrorDetails } from "./errors";
export type { HttpMethod, HttpResponse, TlsOptions } from "./http";
export { setRequestTimeout } from "./http";
export { setReadOnly, isReadOnly, readOnce, ReadOnlyError } from "./readOnly";
export { compareMicroversions, parseMicroversion } from "./microversions";
export type { VersionRange } from "./microversions";
export { retryWhileBusy, resendUnlessApplied, DEFAULT_RETRY } from "./retry";
export type { BusyRetryOptions, ResendOptions, RetryPolicy } from "./retry";
export { scopeDifferences } from "./scope";
export type { Scope } from "./scope";
export { SERVICE_TYPES } from "./services";
export type { ServiceType } from "./services";
export { waitFor, sleep, WaitTimeoutError, AbortedError } from "./wait";
export type { PollResult, WaitOptions } from "./wait";
export { withLock } from "./lock";
export { log, setLogger, registerSecret, redact } from "./log";
export type { Logger } from "./log";
export { clearTokenCache } from "./keystone";
export { clearVersionCache } from "./microversions";
