/**
 * @module
 * Peer: the same Hono app as the others with no session check — the ceiling every ratio is read against.
 */
import { Hono } from 'hono'
import type { PeerEnv } from './env'
import { withProbe } from './probe'

const app = new Hono<{ Bindings: PeerEnv }>()
app.get('/api/hello', (c) => c.json({ userId: null }))
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { protectedPath: '/open', openPath: '/open' })
