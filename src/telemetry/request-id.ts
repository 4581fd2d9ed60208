/**
 * @module
 * The request ID, one rule: Cloudflare's Ray ID (`cf-ray`, e.g. `8f1c2a3b4d5e6f70-CDG`) when the
 * request carries a well-formed one, else a random UUID (local dev, tests, RPC calls). It is what
 * every log line and every error body of the request carries, so a user can quote it and an
 * operator can find the request's lines (and, with a Ray ID, Cloudflare's own logs of it).
 *
 * Only the Ray ID's shape is accepted: anything else a client sends in `cf-ray` (a token, a login
 * ID, a long string) is never echoed into a log or a body.
 */

/** 16 hex digits, optionally `-` and the location's code. */
const RAY_ID = /^[0-9a-f]{16}(?:-[A-Za-z]{3,4})?$/

/** The request's ID from its `cf-ray` header value (or `null`): that value when well-formed, else a fresh one. */
export function requestIdFrom(ray: string | null | undefined): string {
  return ray && RAY_ID.test(ray) ? ray : crypto.randomUUID()
}
