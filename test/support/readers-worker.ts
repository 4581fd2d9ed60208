/**
 * @module
 * A Worker that checks sessions with each reader other Workers use — the package's
 * `descopeSession()` and `createVerifier()`, and this Worker's `SessionVerifier` over a service
 * binding (`SESSION`) — at `/descope-session`, `/create-verifier` and `/rpc`. Each answers
 * `{ userId }` or the failure's status, and passes a refresh's cookies on. For tests that reach
 * it over a socket (test/node/cookie-bytes.test.ts).
 */
import { Hono } from 'hono'
import type { SessionVerifier } from '../../src/package/rpc'
import { createVerifier, descopeSession, type Verifier } from '../../src/package/session'

interface Bindings {
  DESCOPE_PROJECT_ID: string
  DESCOPE_BASE_URL: string
  SESSION: Service<SessionVerifier>
}

/** One verifier per isolate, as an app would keep it (its key cache lives in it). */
let verifier: Verifier | undefined
const verifierFor = (env: Bindings) => (verifier ??= createVerifier({ projectId: env.DESCOPE_PROJECT_ID, baseUrl: env.DESCOPE_BASE_URL }))

const app = new Hono<{ Bindings: Bindings }>()
app.all('/descope-session', descopeSession({ projectId: (env) => env.DESCOPE_PROJECT_ID, baseUrl: (env) => env.DESCOPE_BASE_URL }), (c) =>
  c.json({ userId: c.var.session.userId })
)
app.all('/create-verifier', async (c) => answer(await verifierFor(c.env).verifyRequest(c.req.raw, { refresh: true })))
app.all('/rpc', async (c) =>
  answer(await c.env.SESSION.verifyRequest({ headers: [...c.req.raw.headers], method: c.req.method, url: c.req.url }, { refresh: true }))
)

function answer(outcome: { ok: boolean; status?: number; session?: { userId: string }; setCookie?: string[] }): Response {
  const headers = new Headers()
  for (const line of outcome.setCookie ?? []) headers.append('Set-Cookie', line)
  return Response.json(outcome.ok ? { userId: outcome.session?.userId } : {}, { status: outcome.ok ? 200 : outcome.status, headers })
}

export default app
