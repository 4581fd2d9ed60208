/**
 * @module
 * The CSRF rule of every session check that reads cookies (docs/threat-model.md, T57): this
 * Worker's `requireSession()`, the package's `descopeSession()` and `createVerifier()`, and the
 * RPC `verifyRequest`, all through authenticate.ts. `SameSite=Strict` does not stop a sibling
 * subdomain (same site), so a request that a cookie authenticates and whose method changes
 * something must come from the request's own origin or an allowed one. A Bearer request is never
 * refused here: a browser does not attach it on its own.
 */
/** Methods that change nothing (RFC 9110 §9.2.1). A request whose method is not given is not one of them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The origins that may send such a request besides the request's own, or `'any'` (the `checkOrigin: false` opt-out). */
export type OriginPolicy = ReadonlySet<string> | 'any'

export interface CookieRequest {
  headers: Headers
  /** The request's method; without it the request is treated as one that changes something. */
  method?: string
  /** The request's URL, whose origin is allowed; without it only the allowed origins are. */
  url?: string
}

/**
 * Whether a cookie-authenticated request may go on: its method is safe, `Sec-Fetch-Site` is
 * `same-origin`, or `Origin` is the request's own origin or an allowed one.
 */
export function passesOriginRule(request: CookieRequest, allowed: OriginPolicy): boolean {
  // Over RPC or from JavaScript the method may be anything: only one of these strings is safe.
  if (allowed === 'any' || SAFE_METHODS.has(request.method as string)) return true
  if (request.headers.get('Sec-Fetch-Site') === 'same-origin') return true
  // A repeated header arrives joined with ", " and so matches nothing.
  const origin = request.headers.get('Origin')
  return origin !== null && origin !== 'null' && (allowed.has(origin) || origin === parseOrigin(request.url))
}

/** The origin of the request's URL; none when it has no URL (or not one that parses). */
function parseOrigin(url: string | undefined): string | undefined {
  try {
    return new URL(url as string).origin
  } catch {
    return undefined
  }
}
