/**
 * @module
 * The one error type routes throw, and the one JSON shape every error is answered with:
 * `{"error": {"code": "<stable_snake_case>", "message": "<human sentence>"}}`.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Stable codes of the browser API (DESIGN.md, "Errors"). Clients branch on these, never on messages. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_transaction'
  | 'invalid_login_id'
  | 'authentication_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'origin_not_allowed'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream_error'
  | 'unavailable'
  | 'upstream_timeout'
  | 'configuration_error'
  | 'internal_error'

export class AppError extends Error {
  override readonly name = 'AppError'

  constructor(
    readonly code: ErrorCode,
    readonly status: ContentfulStatusCode,
    message: string,
    /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

/** The error body; `message` is written for people and never carries a token or upstream text. */
export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } }
}

/** Builds a JSON error response outside of a Hono context (RPC entrypoint, config failures). */
export function errorResponse(error: AppError): Response {
  return new Response(JSON.stringify(errorBody(error.code, error.message)), {
    status: error.status,
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': 'no-store',
      ...error.headers,
    },
  })
}
