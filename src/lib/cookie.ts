/**
 * @module
 * The attributes of every cookie the edge sets.
 */

/**
 * `HttpOnly; Secure; SameSite=Strict; Path=/` and no `Domain`: no script reads it, it never
 * travels over plain http or with a cross-site request, and a sibling subdomain cannot read it.
 */
export const STRICT_COOKIE = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/' } as const
