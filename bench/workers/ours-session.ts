/**
 * @module
 * Ours as a library: the package's `descopeSession()` (`passkey-edge/session`) in a Hono app, the
 * same app around the check as every peer. The production Worker also carries the passkey routes,
 * the Descope client and session management; this is the session check alone, as another Worker
 * of the user's would take it (cold-isolate rows only).
 */
import { Hono } from 'hono'
import { descopeSession, type SessionVariables } from '../../src/package/session'
import type { PeerEnv } from './env'
import { withProbe } from './probe'

const app = new Hono<{ Bindings: PeerEnv; Variables: SessionVariables }>()
app.use('/api/*', descopeSession<PeerEnv>({ projectId: (env) => env.PROJECT_ID, baseUrl: (env) => env.DESCOPE_BASE_URL }))
app.get('/api/hello', (c) => c.json({ userId: c.var.session.userId }))
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { openPath: '/open' })
