/**
 * @module
 * Cold-isolate reference (bench/README.md, "Cold isolates"): the open route's app, whose first
 * request also makes the two calls ours makes through the harness on its first request, and
 * nothing else: a Cache API read of ours' own entry (a hit, its body read, as ours reads it) and
 * a KV read, asked for at the same time. A loaded isolate has neither, so the harness serves both
 * over RPC (workers/cold.ts); this row's figure over the open route is what those two hops cost,
 * on our side only. `CACHED_URL` is that entry's address; no entry there is a 500, so the row can
 * never quietly price a miss.
 */
import { Hono } from 'hono'
import type { PeerEnv } from './env'

const app = new Hono<{ Bindings: PeerEnv & { TRANSACTIONS: KVNamespace; CACHED_URL: string } }>()
app.get('/api/hello', async (c) => {
  const [cached, stored] = await Promise.all([caches.default.match(c.env.CACHED_URL), c.env.TRANSACTIONS.get('secret:edge')])
  if (!cached) return c.json({ error: 'no entry in the shared cache' }, 500)
  const bytes = (await cached.arrayBuffer()).byteLength
  return c.json({ userId: null, bytes, stored: stored !== null })
})

export default app
