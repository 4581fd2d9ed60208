/**
 * @module
 * Peer: Hono's built-in `jwk` middleware with `jwks_uri`, as its docs show it. It fetches the key
 * set on every request (it has no cache).
 */
import { Hono } from 'hono'
import { jwk } from 'hono/jwk'
import { jwksUrl, type PeerEnv } from './env'
import { withProbe } from './probe'

const app = new Hono<{ Bindings: PeerEnv; Variables: { jwtPayload: { sub?: string } } }>()
app.use('/api/*', jwk({ jwks_uri: (c) => jwksUrl(c.env as PeerEnv), alg: ['RS256'] }))
app.get('/api/hello', (c) => c.json({ userId: c.get('jwtPayload').sub }))
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { openPath: '/open' })
