/**
 * @module
 * How an auth answer travels (settings `*_token_response_method`): tokens in the JSON body, or,
 * in "manage in cookies" mode, out of the body and into `Set-Cookie: DS=…` / `DSR=…` with the
 * attributes Descope documents (HttpOnly, SameSite from the cookie policy, the custom domain)
 * and the ones its Go SDK writes (Secure, Max-Age and Expires, Path=/). One header per cookie,
 * as a server sends them; `Expires` has a comma in it, as real ones do. By default a token not in
 * the body is `""` there, as Descope's SDK fixtures show (`jwt_response_fields`).
 */
import type { JwtAnswer } from './sessions'
import type { ProjectSettings } from './settings'

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const

/** The JSON answer for `answer` (wrapped, e.g. `{jwt: …}` at update/finish) with its cookies. */
export function tokenResponse(
  settings: ProjectSettings,
  answer: JwtAnswer,
  wrap: (jwt: Record<string, unknown>) => Record<string, unknown> = (jwt) => jwt
): Response {
  const jwt: Record<string, unknown> = emptyTokens(settings)
  const headers = new Headers({ 'Content-Type': 'application/json' })
  if (settings.session_token_response_method === 'cookies') {
    headers.append('Set-Cookie', cookie(settings, 'DS', answer.sessionJwt, answer.sessionMaxAge))
  } else {
    jwt.sessionJwt = answer.sessionJwt
  }
  if (answer.refreshJwt !== undefined) {
    if (settings.refresh_token_response_method === 'cookies') headers.append('Set-Cookie', cookie(settings, 'DSR', answer.refreshJwt, answer.cookieMaxAge))
    else jwt.refreshJwt = answer.refreshJwt
  }
  return new Response(JSON.stringify(wrap({ ...jwt, ...answer.body })), { headers })
}

/**
 * Logout's answer: a JWT response with "all user tokens and fields empty" (Descope's OpenAPI;
 * `{}` with `jwt_response_fields: omitted`), plus cookies that clear DS/DSR for each token the
 * project sends as a cookie.
 */
export function logoutResponse(settings: ProjectSettings): Response {
  const headers = new Headers({ 'Content-Type': 'application/json' })
  if (settings.session_token_response_method === 'cookies') headers.append('Set-Cookie', cookie(settings, 'DS', '', 0))
  if (settings.refresh_token_response_method === 'cookies') headers.append('Set-Cookie', cookie(settings, 'DSR', '', 0))
  const body =
    settings.jwt_response_fields === 'empty'
      ? {
          ...emptyTokens(settings),
          cookieDomain: '',
          cookiePath: '',
          cookieMaxAge: 0,
          cookieExpiration: 0,
          sessionExpiration: 0,
          cookieName: '',
          firstSeen: false,
        }
      : {}
  return new Response(JSON.stringify(body), { headers })
}

/** The token fields before the tokens are put in: `""` each, or none with `jwt_response_fields: omitted`. */
function emptyTokens(settings: ProjectSettings): Record<string, unknown> {
  return settings.jwt_response_fields === 'empty' ? { sessionJwt: '', refreshJwt: '' } : {}
}

function cookie(settings: ProjectSettings, name: 'DS' | 'DSR', value: string, maxAge: number): string {
  const seconds = Math.max(0, Math.floor(maxAge))
  const expires = new Date(Date.now() + seconds * 1000).toUTCString()
  // Each cookie has its own policy and domain (Terraform `session_token_cookie_*`, `refresh_token_cookie_*`).
  const [policy, domainName] =
    name === 'DS'
      ? [settings.session_token_cookie_policy, settings.session_token_cookie_domain]
      : [settings.refresh_token_cookie_policy, settings.refresh_token_cookie_domain]
  const domain = domainName ? `; Domain=${domainName}` : ''
  return `${name}=${value}; Path=/${domain}; Max-Age=${seconds}; Expires=${expires}; HttpOnly; Secure; SameSite=${SAME_SITE[policy]}`
}
