/**
 * @module
 * The one mapping from Descope failures to the browser API's errors: logged and counted
 * (`upstream_error`), one stable body per kind, Descope's text never passed on; a refusal's answer
 * depends on the step (docs/api.md, "Errors"). Anything not a `DescopeError` passes through.
 */
import { AppError, unauthorized } from '../errors.ts'
import type { Telemetry } from '../telemetry/telemetry.ts'
import { DEFAULT_RETRY_AFTER_SECONDS } from './client.ts'
import { DescopeError } from './errors.ts'

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
