/**
 * @module
 * The shapes of a session check's outcome (outcome.ts), for the package's users and RPC callers:
 * types only, with nothing of the Worker's runtime behind them.
 */
import type { ERRORS } from '../errors.ts'
import type { SessionRequirements } from '../session/policy.ts'
import type { Session } from '../session/types.ts'
import type { CheckOptions } from './options.ts'

/** The error codes a session check can end with. */
export type SessionFailureCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'insufficient_user_authentication'
  | 'forbidden'
  | 'origin_not_allowed'
  | 'unavailable'
  | 'rate_limited'
  | 'upstream_error'
  | 'upstream_timeout'
  | 'configuration_error'
  | 'internal_error'

interface FailureBody<Code extends string, Status extends number> {
  ok: false
  status: Status
  code: Code
  /** The sentence this Worker puts in its error envelope. */
  message: string
  /** `WWW-Authenticate` (RFC 6750 / RFC 9470 challenges), `Retry-After`. */
  headers: Record<string, string>
  /** The check's request ID, as in this Worker's error bodies and log lines. */
  requestId: string
  /**
   * `Set-Cookie` values of an edge refresh made before a requirement refused the session (a role,
   * step-up): put them on this answer too, or the browser keeps a refresh token Descope may have
   * rotated away. Empty otherwise.
   */
  setCookie: string[]
}

/** A failed check: the answer this Worker would give, field by field. */
export type VerifyFailure = { [Code in SessionFailureCode]: FailureBody<Code, (typeof ERRORS)[Code]['status']> }[SessionFailureCode]

export type VerifyOutcome<S = Session> =
  | {
      ok: true
      session: S
      /** `Set-Cookie` values of an edge refresh, for the caller's answer; empty without one. */
      setCookie: string[]
    }
  | VerifyFailure

/** A request check's options (`verifyRequest()`): the requirements, and how the session is checked. */
export interface RequestCheckOptions extends SessionRequirements, CheckOptions {}
