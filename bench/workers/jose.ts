/**
 * @module
 * Peer: stock jose — `jwtVerify` with `createRemoteJWKSet` (10-minute cache, 30-second cooldown
 * on unknown `kid`s), one key set per isolate. What a careful hand-written middleware looks like.
 */
import { Hono } from 'hono'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { bearer, issuers, jwksUrl, type PeerEnv } from './env'
import { withProbe } from './probe'

let keySet: ReturnType<typeof createRemoteJWKSet> | undefined

const app = new Hono<{ Bindings: PeerEnv }>()
app.get('/api/hello', async (c) => {
  const token = bearer(c.req.raw)
  if (!token) return c.json({ error: 'unauthorized' }, 401)
  keySet ??= createRemoteJWKSet(new URL(jwksUrl(c.env)))
  try {
    const { payload } = await jwtVerify(token, keySet, { algorithms: ['RS256'], issuer: issuers(c.env), clockTolerance: 5 })
    return c.json({ userId: payload.sub })
  } catch {
    return c.json({ error: 'unauthorized' }, 401)
  }
})
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { openPath: '/open' })
