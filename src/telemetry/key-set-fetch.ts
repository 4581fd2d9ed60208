/**
 * @module
 * What the key store tells the request's telemetry about each fetch of Descope's key set.
 */

/** How one fetch of the key set from Descope went. */
export interface KeySetFetch {
  ok: boolean
  /** Why it failed, e.g. `jwks_timeout`, `descope_unavailable`, `no_usable_keys`. */
  reason?: string
  durationMs: number
  /** Whether the store still holds (older) keys after it. */
  haveKeys: boolean
}
