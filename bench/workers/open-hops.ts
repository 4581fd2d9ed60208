/**
 * @module
 * Cold-isolate reference (bench/README.md, "Cold isolates"): the open route's app, whose first
 * request also makes the two calls ours makes through the harness on its first request, and
 * nothing else: a Cache API read and a KV read, asked for at the same time. A loaded isolate has
 * neither, so the harness serves both over RPC (workers/cold.ts); this row's figure over the open
 * route is what those two hops cost, on our side only.
 */
import { Hono } from 'hono'
import type { PeerEnv } from './env'

const app = new Hono<{ Bindings: PeerEnv & { TRANSACTIONS: KVNamespace } }>()
app.get('/api/hello', async (c) => {
  const [cached, stored] = await Promise.all([caches.default.match('https://jwks.passkey-edge.invalid/v1/hops'), c.env.TRANSACTIONS.get('secret:edge')])
  return c.json({ userId: null, cached: cached !== undefined, stored: stored !== null })
})

export default app
