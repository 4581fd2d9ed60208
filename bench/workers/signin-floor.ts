/**
 * @module
 * Reference: the sign-in floor — the least a passkey sign-in proxy must do to keep each
 * transaction single use through KV, and nothing else (bench/README.md, "Sign-in latency").
 * - `POST /auth/passkey/signin/start {loginId}`: Descope's start with the request's `Origin`, a
 *   random transaction ID, the record `{descopeTransactionId}` written to KV with `waitUntil` (not
 *   awaited) and kept in this isolate until the write lands, `{transactionId, options}` answered.
 * - `POST /auth/passkey/signin/finish {transactionId, response}`: the record from memory or an
 *   awaited KV `get` (nothing reaches Descope without one), then Descope's finish beside the KV
 *   `delete`, answered after both (a replay sent after the answer finds no record) with Descope's
 *   own answer.
 * No origin rule, body checks, browser binding, expiry, claim, token checks or cookies: what our
 * Worker adds over this is the price of those. KV is timed and delayed as in `ours-probe`
 * (`/__bench/kv`, bench/workers/timed-kv.ts).
 */
import type { PeerEnv } from './env'
import { kvReport, timedKv } from './timed-kv'

interface FloorEnv extends PeerEnv {
  TRANSACTIONS: KVNamespace
}

/** A record whose KV write has not landed yet, and that write (a delete must come after it). */
const unwritten = new Map<string, { descopeTransactionId: string; written: Promise<unknown> }>()
const KEY_PREFIX = 'signin-floor:'

let kv: KVNamespace | undefined
const kvOf = (env: FloorEnv) => {
  kv ??= timedKv(env.TRANSACTIONS)
  return kv
}

/** Descope's API, as bench/lib/proxy.mjs calls it directly. */
function descope(env: FloorEnv, path: string, body: unknown): Promise<Response> {
  return fetch(`${env.DESCOPE_BASE_URL}/v1/auth/webauthn/signin/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.PROJECT_ID}` },
    body: JSON.stringify(body),
  })
}

async function start(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> {
  const { loginId } = (await request.json()) as { loginId: string }
  const answer = await descope(env, 'start', { loginId, origin: request.headers.get('Origin') })
  if (!answer.ok) return new Response(answer.body, { status: answer.status })
  const started = (await answer.json()) as { transactionId: string; options: string }
  const transactionId = crypto.randomUUID()
  const key = KEY_PREFIX + transactionId
  const written = kvOf(env)
    .put(key, JSON.stringify({ descopeTransactionId: started.transactionId }), { expirationTtl: 300 })
    // Landed: KV is the one copy from now on. Failed: this isolate's copy stays the only one.
    .then(
      () => unwritten.delete(key),
      () => undefined
    )
  unwritten.set(key, { descopeTransactionId: started.transactionId, written })
  ctx.waitUntil(written)
  return Response.json({ transactionId, options: JSON.parse(started.options) })
}

async function finish(request: Request, env: FloorEnv): Promise<Response> {
  const { transactionId, response } = (await request.json()) as { transactionId: string; response: unknown }
  const key = KEY_PREFIX + transactionId
  const pending = unwritten.get(key)
  unwritten.delete(key)
  const stored = pending ? undefined : await kvOf(env).get<{ descopeTransactionId: string }>(key, 'json')
  const descopeTransactionId = pending?.descopeTransactionId ?? stored?.descopeTransactionId
  if (!descopeTransactionId) return new Response(null, { status: 400 })
  // A write still under way would bring the record back after the delete: it goes first.
  const deleted = (pending?.written ?? Promise.resolve()).then(() => kvOf(env).delete(key))
  const [answer] = await Promise.all([descope(env, 'finish', { transactionId: descopeTransactionId, response: JSON.stringify(response) }), deleted])
  return new Response(answer.body, { status: answer.status, headers: { 'Content-Type': 'application/json' } })
}

export default {
  fetch(request: Request, env: FloorEnv, ctx: ExecutionContext): Promise<Response> | Response {
    const url = new URL(request.url)
    if (url.pathname === '/__bench/kv') return kvReport(url)
    if (request.method === 'POST' && url.pathname === '/auth/passkey/signin/start') return start(request, env, ctx)
    if (request.method === 'POST' && url.pathname === '/auth/passkey/signin/finish') return finish(request, env)
    return new Response(null, { status: 404 })
  },
}
