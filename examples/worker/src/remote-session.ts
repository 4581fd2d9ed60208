/**
 * A Hono middleware that asks passkey-edge's `SessionVerifier` (a service binding) for the
 * session: no Descope call and no key cache here. With `refresh: true` passkey-edge refreshes an
 * expired session and hands back the new cookies, which this Worker puts on its answer.
 */
import { createMiddleware } from 'hono/factory'
import type { RemoteSession, RequestCheckOptions, SessionVerifier } from 'passkey-edge/rpc'

export interface RemoteSessionEnv {
  Bindings: { SESSION: Service<SessionVerifier> }
  Variables: { session: RemoteSession }
}

export const remoteSession = (options: RequestCheckOptions = { refresh: true }) =>
  createMiddleware<RemoteSessionEnv>(async (c, next) => {
    // The method and URL let passkey-edge refuse a cross-site POST that only the cookies authenticate (CSRF).
    const outcome = await c.env.SESSION.verifyRequest({ headers: [...c.req.raw.headers], method: c.req.method, url: c.req.url }, options)
    if (outcome.ok) {
      c.set('session', outcome.session)
      await next()
    } else {
      // passkey-edge's own answer: its status, error envelope (with the request ID of its log lines)
      // and challenge (RFC 6750 / RFC 9470).
      c.res = c.json({ error: { code: outcome.code, message: outcome.message, requestId: outcome.requestId } }, outcome.status, outcome.headers)
    }
    // A refresh's cookies, on the route's answer or the refusal (a role missing after a refresh),
    // set last: Hono drops headers set earlier when the route answers with a Response of its own
    // (`new Response`, a proxied fetch), and a rotated refresh token that misses the browser signs
    // the user out.
    for (const cookie of outcome.setCookie) c.header('Set-Cookie', cookie, { append: true })
    if (!outcome.ok || outcome.setCookie.length > 0) c.header('Cache-Control', 'no-store')
  })
