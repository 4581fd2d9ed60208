/**
 * @module
 * Sign-up-or-in start without trusting Descope's `create` (T50).
 *
 * Descope's `signup-in/start` answers `create: true` when the next finish is a sign-up. What it
 * does for a login ID whose user exists without a passkey (made in the console, by OTP or the
 * management API, or who removed every passkey) is unpublished: it may answer `create: true`
 * with a transaction whose sign-up finish enrols the new passkey on that user — a takeover by
 * anyone who knows the login ID. So `create: true` is only a hint: sign-up start, which refuses
 * every login ID that has a user (`E062107`), confirms it, and its transaction (a new user's) is
 * the one the browser finishes; the sign-up-or-in transaction is dropped unused. A refusal is
 * the answer of any refused sign-up (`400 invalid_login_id`), through the one mapper. With
 * `create: false` the finish is a sign-in, which never adds a passkey.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { upstream } from '../request-context'
import type { StartResponse } from '../descope/types'

export async function startSignUpOrIn(c: Context<AppEnv>, loginId: string, origin: string): Promise<StartResponse> {
  const descope = c.var.descope
  const start = await upstream(c, 'signup-start', () => descope.signUpOrInStart({ loginId, origin }))
  if (!start.create) return start
  const signUp = await upstream(c, 'signup-start', () => descope.signUpStart({ loginId, origin }))
  // Descope may leave `create` out of a sign-up start (Go's omitempty); it is a sign-up all the same.
  return { ...signUp, create: true }
}
