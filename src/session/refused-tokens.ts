/**
 * @module
 * Refresh tokens Descope refused, remembered for a minute in this isolate (docs/threat-model.md,
 * T58). A revoked refresh token still verifies at the edge (its signature and expiry are fine), so
 * without this memory one throw-away account could keep the edge calling Descope on every request.
 * Only a refusal (`rejected`: a 4xx) is remembered; a timeout, 5xx or 429 says nothing of the token.
 */
import { DescopeError } from '../descope/errors.ts'
import { clockCache } from '../lib/clock-cache.ts'

/** How long a refused token is not sent again: short, so a mistake of Descope's heals by itself. */
const REFUSED_TTL_MS = 60_000
/** Bound of the memory: a flood of distinct refused tokens drops the least used. */
const MAX_REFUSED = 1_000

const refused = clockCache<string, number>(MAX_REFUSED)

/** Runs a Descope call made with this refresh token, remembering the token when Descope refuses it. */
export async function rememberingRefusal<T>(refreshJwt: string, call: () => Promise<T>, now: () => number = Date.now): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof DescopeError && error.kind === 'rejected') refused.set(refreshJwt, now() + REFUSED_TTL_MS)
    throw error
  }
}

/** Whether Descope refused this refresh token within the last minute. */
export function wasRefused(refreshJwt: string, now: () => number = Date.now): boolean {
  const until = refused.get(refreshJwt)
  if (until === undefined) return false
  if (until > now()) return true
  refused.delete(refreshJwt)
  return false
}
