/**
 * @module
 * One refresh in flight per refresh token per isolate: with rotation, a second concurrent refresh
 * of the same token would fail. Requests share it through plain data (lib/poll.ts), never each
 * other's promises; a success stays readable briefly for the same browser only (T59) and is
 * dropped at sign-out (`forgetRefresh`). Two isolates refreshing one token both call Descope.
 */
import type { DescopeClient } from '../descope/client.ts'
import type { JwtResponse, VerifiedRefreshToken } from '../descope/types.ts'
import { clockCache } from '../lib/clock-cache.ts'
import { pollUntil } from '../lib/poll.ts'
import { rememberingRefusal } from './refused-tokens.ts'

interface Entry {
  /** The session cookie of the browser that asked (`''` for none): the only one the result is shared with. */
  requester: string
  since: number
  settledAt?: number
  result?: JwtResponse
  error?: unknown
}

/** How long a settled result is shared with requests that arrive a little later. */
const RESULT_TTL_MS = 5_000
/** How long a follower waits for the leader before calling Descope itself. */
const WAIT_LIMIT_MS = 10_000
/** Bound of the isolate's memory of refreshes: a flood of distinct tokens drops the least used. */
const MAX_ENTRIES = 1_000

const entries = clockCache<string, Entry>(MAX_ENTRIES)
/** The token each rotated refresh token came from, so that a sign-out with the new one forgets the old one's result too. */
const rotatedFrom = clockCache<string, string>(MAX_ENTRIES)

/**
 * Refreshes at Descope, sharing one call among concurrent requests with the same token from the
 * same browser (`requester`: its session cookie, `''` for none).
 */
export async function refreshOnce(
  descope: DescopeClient,
  refreshJwt: VerifiedRefreshToken,
  requester: string,
  now: () => number = Date.now
): Promise<JwtResponse> {
  const found = current(entries.get(refreshJwt), now())
  // Another browser holding the same token (a copy of it) gets no shared result: it asks Descope,
  // which sees the token reused.
  const existing = found?.requester === requester ? found : undefined
  let waited = false
  if (existing && existing.settledAt === undefined && now() - existing.since < WAIT_LIMIT_MS) {
    waited = true
    await pollUntil(() => existing.settledAt !== undefined, WAIT_LIMIT_MS - (now() - existing.since), now)
  }
  if (existing?.settledAt !== undefined && entries.get(refreshJwt) === existing) {
    // A follower that waited shares the leader's outcome, failure included; a later request
    // only reuses a success (a failure is not remembered, so the next attempt asks again).
    if (existing.result || waited) return settle(existing)
  }

  const entry: Entry = { requester, since: now() }
  entries.set(refreshJwt, entry)
  try {
    entry.result = await rememberingRefusal(refreshJwt, () => descope.refresh(refreshJwt))
    if (entry.result.refreshJwt && entry.result.refreshJwt !== refreshJwt) rotatedFrom.set(entry.result.refreshJwt, refreshJwt)
  } catch (error) {
    entry.error = error
  } finally {
    entry.settledAt = now()
  }
  return settle(entry)
}

/**
 * Forgets the shared results a sign-out can reach: the one under this token, and the one under the
 * token it was rotated from (a browser signs out with the rotated token; the old one's result
 * must not outlive that).
 */
export function forgetRefresh(refreshJwt: string): void {
  entries.delete(refreshJwt)
  const previous = rotatedFrom.get(refreshJwt)
  if (previous !== undefined) {
    entries.delete(previous)
    rotatedFrom.delete(refreshJwt)
  }
}

function settle(entry: Entry): JwtResponse {
  if (entry.result) return entry.result
  throw entry.error
}

/** The entry while it still counts: a result for `RESULT_TTL_MS`, a call in flight for `WAIT_LIMIT_MS`. */
function current(entry: Entry | undefined, now: number): Entry | undefined {
  if (!entry) return undefined
  const stale = entry.settledAt !== undefined ? now - entry.settledAt > RESULT_TTL_MS : now - entry.since > WAIT_LIMIT_MS
  return stale ? undefined : entry
}
