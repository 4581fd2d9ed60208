/**
 * @module
 * The session layer's answers as `AppError`s: 401 with an RFC 6750 / RFC 9470 challenge, 403,
 * 503 without keys, and Descope failures mapped to the browser API's codes.
 */
import { DescopeError } from '../descope'
import { AppError } from '../errors'

/** 401; `invalid_token` when a token was presented, a bare `Bearer` challenge when none was. */
export function unauthorized(tokenPresented: boolean): AppError {
  return new AppError('unauthorized', 401, 'A valid session is required.', {
    'WWW-Authenticate': tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer',
  })
}

/** 401 with the RFC 9470 challenge: the page should ask the user to confirm with a passkey. */
export function stepUpRequired(): AppError {
  return new AppError('unauthorized', 401, 'This action needs a fresh confirmation with your passkey.', {
    'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", error_description="A step-up authentication is required"',
  })
}

export function forbidden(): AppError {
  return new AppError('forbidden', 403, 'This session may not do that.', { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' })
}

/** No signing keys at all (cold isolate, JWKS down): fail closed, but not as a sign-out. */
export function keysUnavailable(): AppError {
  return new AppError('unavailable', 503, 'Sessions cannot be checked right now; try again shortly.', { 'Retry-After': '5' })
}

/**
 * Descope failures: rejected → 401, rate limited → 429 + `Retry-After`, timeout → 504,
 * anything else → 502. Descope's own text never reaches the browser.
 */
export function upstreamFailure(error: unknown): AppError {
  if (!(error instanceof DescopeError)) {
    return new AppError('upstream_error', 502, 'The identity service answered unexpectedly.', {}, { cause: error })
  }
  console.warn(JSON.stringify({ event: 'descope_failure', kind: error.kind, path: error.details.path, status: error.status, errorCode: error.errorCode }))
  switch (error.kind) {
    case 'rejected':
      return unauthorized(true)
    case 'rate_limited':
      return new AppError('rate_limited', 429, 'Too many requests; try again shortly.', {
        'Retry-After': String(error.details.retryAfterSeconds ?? 1),
      })
    case 'timeout':
      return new AppError('upstream_timeout', 504, 'The identity service did not answer in time.')
    default:
      return new AppError('upstream_error', 502, 'The identity service answered unexpectedly.')
  }
}
