/**
 * @module
 * The one mapping from Descope failures to the browser API's errors. Descope's text never
 * reaches the browser: the kind, path, status and `errorCode` are logged and counted
 * (`upstream_error`), and each kind answers one stable body.
 *
 * Refusals (Descope 4xx) depend on the step:
 * - finish → 401 `authentication_failed` (a bad assertion, an unknown credential, a used
 *   transaction all look the same);
 * - sign-in start → 401 `authentication_failed` (the same body as a failed finish);
 * - sign-up and sign-up-or-in start → 400 `invalid_login_id` ("cannot be used here"), whether
 *   the user exists, the ID is malformed for Descope, or the project refuses it;
 * - session calls (add-device, step-up and MFA starts, refresh, `/me`) → 401 `unauthorized`
 *   with `WWW-Authenticate: Bearer error="invalid_token"` (the refresh token was refused);
 * - recovery finish → 400 `invalid_recovery_link` (used, expired or unknown link).
 *
 * An error that is not a `DescopeError` passes through unchanged: an `AppError` keeps its
 * answer, anything else is a bug and becomes the app's logged 500.
 */
import { AppError, unauthorized } from '../errors'
import type { Telemetry } from '../telemetry/telemetry'
import { DEFAULT_RETRY_AFTER_SECONDS } from './client'
import { DescopeError } from './errors'

/** What the edge was doing when Descope failed. */
export type UpstreamStep = 'finish' | 'signin-start' | 'signup-start' | 'session' | 'recovery-start' | 'recovery-finish'

/** Turns an error thrown while calling Descope into the browser API's error; logs and counts it. */
export function toBrowserError(telemetry: Telemetry, error: unknown, step: UpstreamStep): unknown {
  if (!(error instanceof DescopeError)) return error
  const { kind, status, errorCode, details } = error
  telemetry.log('warn', 'upstream_error', { step, kind, path: details.path, status, errorCode })
  telemetry.count('upstream_error', [step, kind, errorCode], status)
  switch (kind) {
    case 'rate_limited':
      return new AppError('rate_limited', { headers: { 'Retry-After': String(details.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) } })
    case 'timeout':
      return new AppError('upstream_timeout')
    case 'rejected':
      return refusal(step)
    case 'unavailable':
    case 'protocol':
    case 'network':
      return new AppError('upstream_error')
  }
}

/** Calls Descope; a failure is thrown as the browser API's error for this step. */
export async function callUpstream<T>(telemetry: Telemetry, step: UpstreamStep, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toBrowserError(telemetry, error, step)
  }
}

function refusal(step: UpstreamStep): AppError {
  switch (step) {
    case 'finish':
    case 'signin-start':
      return new AppError('authentication_failed')
    case 'signup-start':
      return new AppError('invalid_login_id')
    case 'session':
      return unauthorized(true)
    case 'recovery-start':
    case 'recovery-finish':
      return new AppError('invalid_recovery_link')
  }
}
