/**
 * @module
 * Sign-up-or-in start without trusting Descope's `create` (T50): `create: true` is only a hint,
 * confirmed by a sign-up start (which refuses every login ID that has a user), whose transaction
 * the browser then finishes; otherwise an existing user without a passkey could be taken over by
 * anyone knowing the login ID. With `create: false` the finish is a sign-in. docs/threat-model.md, T50.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context.ts'
import { upstream } from '../request-context.ts'
import type { StartResponse } from '../descope/types.ts'

export async function startSignUpOrIn(c: Context<AppEnv>, loginId: string, origin: string): Promise<StartResponse> {
  const descope = c.var.descope
  const start = await upstream(c, 'signup-start', () => descope.signUpOrInStart({ loginId, origin }))
  if (!start.create) return start
  const signUp = await upstream(c, 'signup-start', () => descope.signUpStart({ loginId, origin }))
  // Descope may leave `create` out of a sign-up start (Go's omitempty); it is a sign-up all the same.
  return { ...signUp, create: true }
}
