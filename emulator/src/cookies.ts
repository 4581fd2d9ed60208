/**
 * @module
 * How an auth answer travels (settings `*_token_response_method`): tokens in the JSON body, or,
 * in "manage in cookies" mode, out of the body and into `Set-Cookie: DS=…` / `DSR=…` with the
 * attributes Descope documents (HttpOnly, SameSite from the cookie policy, the custom domain)
 * and the ones its Go SDK writes (Secure, Max-Age and Expires, Path=/). One header per cookie,
 * as a server sends them; `Expires` has a comma in it, as real ones do.
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
  const jwt: Record<string, unknown> = {}
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

/** Logout's answer: `{}`, plus cookies that clear DS/DSR for each token the project sends as a cookie. */
export function logoutResponse(settings: ProjectSettings): Response {
  const headers = new Headers({ 'Content-Type': 'application/json' })
  if (settings.session_token_response_method === 'cookies') headers.append('Set-Cookie', cookie(settings, 'DS', '', 0))
  if (settings.refresh_token_response_method === 'cookies') headers.append('Set-Cookie', cookie(settings, 'DSR', '', 0))
  return new Response('{}', { headers })
}

function cookie(settings: ProjectSettings, name: 'DS' | 'DSR', value: string, maxAge: number): string {
  const seconds = Math.max(0, Math.floor(maxAge))
  const expires = new Date(Date.now() + seconds * 1000).toUTCString()
  const domain = settings.refresh_token_cookie_domain ? `; Domain=${settings.refresh_token_cookie_domain}` : ''
  return `${name}=${value}; Path=/${domain}; Max-Age=${seconds}; Expires=${expires}; HttpOnly; Secure; SameSite=${SAME_SITE[settings.refresh_token_cookie_policy]}`
}
