/**
 * @module
 * Peer: Descope's official `@descope/node-sdk` `validateSession` (needs `nodejs_compat`). Keys are
 * fetched on a `kid` miss and kept per kid, with no cooldown.
 */
import DescopeClient from '@descope/node-sdk'
import { Hono } from 'hono'
import { bearer, type PeerEnv } from './env'
import { withProbe } from './probe'

let sdk: ReturnType<typeof DescopeClient> | undefined

const app = new Hono<{ Bindings: PeerEnv }>()
app.get('/api/hello', async (c) => {
  const token = bearer(c.req.raw)
  if (!token) return c.json({ error: 'unauthorized' }, 401)
  sdk ??= DescopeClient({ projectId: c.env.PROJECT_ID, baseUrl: c.env.DESCOPE_BASE_URL, logger: undefined })
  try {
    const { token: claims } = await sdk.validateSession(token)
    return c.json({ userId: claims.sub })
  } catch {
    return c.json({ error: 'unauthorized' }, 401)
  }
})
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { openPath: '/open' })
