/**
 * @module
 * Descope failures → the browser API's codes. Descope's text never reaches the browser: only
 * the kind, status and `errorCode` are logged, and each route answers one stable body per kind.
 *
 * Refusals (Descope 4xx) depend on the step:
 * - finish → 401 `authentication_failed` (a bad assertion, an unknown credential, a used
 *   transaction all look the same);
 * - sign-in start → 401 `authentication_failed` (the same body as a failed finish);
 * - sign-up and sign-up-or-in start → 400 `invalid_login_id` ("cannot be used here"), whether
 *   the user exists, the ID is malformed for Descope, or the project refuses it;
 * - session-bound starts (add-device, step-up, MFA) → 401 `unauthorized` (the refresh token was
 *   refused).
 */
import { DescopeError } from '../descope'
import { AppError } from '../errors'

/** What the route was doing when Descope refused. */
export type UpstreamStep = 'finish' | 'signin-start' | 'signup-start' | 'session-start'

/** Turns any error thrown while calling Descope into an `AppError`; non-Descope errors pass through. */
export function mapUpstreamError(error: unknown, step: UpstreamStep): unknown {
  if (!(error instanceof DescopeError)) return error
  console.warn(
    JSON.stringify({ event: 'upstream_error', step, kind: error.kind, path: error.details.path, status: error.status, errorCode: error.errorCode })
  )
  switch (error.kind) {
    case 'rate_limited':
      return new AppError('rate_limited', 429, 'Too many requests; try again later.', {
        'Retry-After': String(error.details.retryAfterSeconds ?? 1),
      })
    case 'timeout':
      return new AppError('upstream_timeout', 504, 'The identity provider did not answer in time.')
    case 'rejected':
      return refusal(step)
    case 'unavailable':
    case 'protocol':
    case 'network':
      return new AppError('upstream_error', 502, 'The identity provider failed; try again later.')
  }
}

function refusal(step: UpstreamStep): AppError {
  switch (step) {
    case 'finish':
    case 'signin-start':
      return new AppError('authentication_failed', 401, 'The passkey could not be verified.')
    case 'signup-start':
      return new AppError('invalid_login_id', 400, 'This login ID cannot be used here.')
    case 'session-start':
      return new AppError('unauthorized', 401, 'Sign in again to continue.')
  }
}
