/**
 * @module
 * Every error the browser API answers, in one catalogue, and the one type routes throw.
 * Each answer is `{"error": {"code": "<stable_snake_case>", "message": "<human sentence>",
 * "requestId": "…"}}` with the code's status (docs/api.md, "Errors"). Clients branch on the code,
 * never on the message; a person quotes the request ID.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The status and default message of each stable code. */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_transaction: { status: 400, message: 'This passkey transaction is not valid here; start again.' },
  transaction_expired: { status: 400, message: 'This passkey step took too long; start again.' },
  invalid_login_id: { status: 400, message: 'This login ID cannot be used here.' },
  invalid_recovery_link: { status: 400, message: 'This sign-in link is used, expired or not valid; ask for a new one.' },
  authentication_failed: { status: 401, message: 'The passkey could not be verified.' },
  unauthorized: { status: 401, message: 'A valid session is required.' },
  insufficient_user_authentication: { status: 401, message: 'This action needs a fresh confirmation with your passkey.' },
  forbidden: { status: 403, message: 'This session may not do that.' },
  origin_not_allowed: { status: 403, message: 'This origin may not call the passkey API.' },
  not_found: { status: 404, message: 'There is nothing at this path.' },
  method_not_allowed: { status: 405, message: 'This path does not take that method.' },
  payload_too_large: { status: 413, message: 'The body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  upstream_error: { status: 502, message: 'The identity provider failed; try again later.' },
  unavailable: { status: 503, message: 'The service is unavailable; try again shortly.' },
  upstream_timeout: { status: 504, message: 'The identity provider did not answer in time.' },
  configuration_error: { status: 500, message: 'The Worker is misconfigured.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>

/** Stable codes of the browser API. */
export type ErrorCode = keyof typeof ERRORS

interface AppErrorOptions {
  /** Replaces the catalogue's message where the person needs the detail (which field, which limit). */
  message?: string
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>
  /** Members of the body beside `error`, e.g. the readiness checks. */
  details?: Record<string, unknown>
  cause?: unknown
}

/** An answer of the browser API, thrown by routes and middleware and answered by `app.onError`. */
export class AppError extends Error {
  override readonly name = 'AppError'
  readonly status: ContentfulStatusCode
  readonly headers: Record<string, string>
  readonly details: Record<string, unknown> | undefined

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {}
  ) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause })
    this.status = ERRORS[code].status
    this.headers = options.headers ?? {}
    this.details = options.details
  }
}

/**
 * The error body; `message` is written for people and never carries a token or upstream text,
 * `requestId` is the one every log line of the request carries (src/telemetry/request-id.ts).
 */
export function errorBody(error: AppError, requestId: string) {
  return { error: { code: error.code, message: error.message, requestId }, ...error.details }
}

/**
 * An error as answered, wherever it is answered (the app's routes, `descopeSession()`, the
 * outcome values of RPC and `createVerifier()`): its status, headers and envelope.
 */
export function toErrorAnswer(error: AppError, requestId: string) {
  return { status: error.status, headers: error.headers, body: errorBody(error, requestId) }
}

/** Seconds a client should wait before retrying when the session keys cannot be had. */
const KEYS_RETRY_AFTER_SECONDS = 5

/** 401 with an RFC 6750 challenge: `invalid_token` when a token was presented, a bare `Bearer` when none was. */
export function unauthorized(tokenPresented: boolean): AppError {
  return new AppError('unauthorized', { headers: { 'WWW-Authenticate': tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer' } })
}

/** 401 with the RFC 9470 challenge: the page should ask the user to confirm with a passkey. */
export function stepUpRequired(): AppError {
  return new AppError('insufficient_user_authentication', {
    headers: { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", error_description="A step-up authentication is required"' },
  })
}

/** 403 with the RFC 6750 `insufficient_scope` challenge: a role, permission or tenant is missing. */
export function forbidden(): AppError {
  return new AppError('forbidden', { headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } })
}

/** No signing keys at all (cold isolate, JWKS down): fail closed, but not as a sign-out. */
export function keysUnavailable(): AppError {
  return new AppError('unavailable', {
    message: 'Sessions cannot be checked right now; try again shortly.',
    headers: { 'Retry-After': String(KEYS_RETRY_AFTER_SECONDS) },
  })
}
