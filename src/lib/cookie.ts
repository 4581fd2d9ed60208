/**
 * @module
 * The cookies the edge sets and reads, written here rather than with Hono's general cookie
 * helper: every cookie has the same strict attributes and names and values of a known alphabet,
 * so a few lines do (and keep Hono's helper out of the Worker's bundle).
 */

/** Browsers cap a cookie's lifetime at 400 days (RFC 6265bis). */
const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60

/**
 * A `Set-Cookie` value with `Max-Age`, `Path=/; HttpOnly; Secure; SameSite=Strict` and no `Domain`:
 * no script reads it, it never travels over plain http or with a cross-site request, and a
 * sibling subdomain cannot read it. The value is percent-encoded; the age is whole seconds from 0
 * to 400 days.
 */
export function strictCookie(name: string, value: string, maxAgeSeconds: number): string {
  const maxAge = Math.min(MAX_COOKIE_AGE_SECONDS, Math.max(0, Math.floor(maxAgeSeconds) || 0))
  return `${name}=${encodeURIComponent(value)}; Max-Age=${maxAge}; Path=/; HttpOnly; Secure; SameSite=Strict`
}

/** RFC 6265 §5.2 removes only SP and HTAB around a cookie's name and value; `trim()` removes Unicode spaces too. */
const WSP_AROUND = /^[ \t]+|[ \t]+$/g

/**
 * Every value of cookie `name` in a `Cookie` header, in order (usually zero or one). Names are
 * compared byte for byte after removing SP and HTAB only (docs/threat-model.md, T56): a
 * look-alike such as `\u2000__Host-DS`, which a sibling subdomain can plant because the browser
 * sees no `__Host-` prefix, is another cookie and is neither read nor counted.
 */
export function readCookie(header: string | null, name: string): string[] {
  if (!header) return []
  const values: string[] = []
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index < 0 || part.slice(0, index).replace(WSP_AROUND, '') !== name) continue
    let value = part.slice(index + 1).replace(WSP_AROUND, '')
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    values.push(value)
  }
  return values
}
