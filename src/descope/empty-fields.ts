/**
 * @module
 * Descope leaves a field of a JWT response empty rather than out: `"refreshJwt": ""` on a refresh
 * without rotation, `"sessionJwt": ""` beside the `Set-Cookie` tokens in cookie mode, every field
 * empty at logout (docs/descope-contract.md §3.12). Its own SDKs read `""` and `null` as "no
 * token" (Kotlin `stringOrEmptyAsNull`, Python `if rt_jwt:`, node-sdk PR #535), so this does too,
 * for every field Descope may leave empty, before anything else reads the answer.
 */

/** Fields that are absent when `""`, `0` or `null` (a zero lifetime or expiry is "not given", never "expire now"). */
const EMPTY_MEANS_ABSENT = new Set([
  'sessionJwt',
  'refreshJwt',
  'user',
  'cookieName',
  'sessionCookieName',
  'cookieDomain',
  'sessionCookieDomain',
  'cookiePath',
  'cookieMaxAge',
  'cookieExpiration',
  'sessionExpiration',
  'nextRefreshSeconds',
])

/** `data` without the fields of `EMPTY_MEANS_ABSENT` that are empty (edited in place). */
export function withoutEmptyFields(data: Record<string, unknown>): Record<string, unknown> {
  for (const name of EMPTY_MEANS_ABSENT) {
    const value = data[name]
    if (value === '' || value === 0 || value === null) delete data[name]
  }
  return data
}
