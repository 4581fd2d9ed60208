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
    const outcome = await c.env.SESSION.verifyRequest({ headers: [...c.req.raw.headers] }, options)
    if (!outcome.ok) {
      // passkey-edge's own answer: its status, error envelope (with the request ID of its log lines)
      // and challenge (RFC 6750 / RFC 9470).
      return c.json({ error: { code: outcome.code, message: outcome.message, requestId: outcome.requestId } }, outcome.status, {
        ...outcome.headers,
        'Cache-Control': 'no-store',
      })
    }
    c.set('session', outcome.session)
    await next()
    // After the route, so the cookies also reach an answer it built itself (`new Response`, a
    // proxied fetch): Hono drops headers set earlier then, and a rotated refresh token that
    // misses the browser signs the user out.
    for (const cookie of outcome.setCookie) c.header('Set-Cookie', cookie, { append: true })
    if (outcome.setCookie.length > 0) c.header('Cache-Control', 'no-store')
  })
