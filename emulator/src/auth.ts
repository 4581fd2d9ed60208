/**
 * @module
 * Refresh, logout, logoutall and me (docs/descope-contract.md §3.8–§3.11): each needs a valid, unrevoked
 * refresh JWT; bodies may be absent (Go, Kotlin) and query strings (web-js `dcs`/`dcr`) are ignored.
 */
import { Hono } from 'hono'
import type { ProjectEnv } from './context'
import { readBody, readRefreshToken } from './request'
import { jwtResponse, requireRefresh } from './sessions'
import { userResponse } from './users'

export const auth = new Hono<ProjectEnv>()

auth.post('/refresh', async (c) => {
  await readBody(c.req.raw)
  const { session, user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  // No rotation: the answer carries a new session JWT and no refreshJwt (docs/descope-contract.md §3.8).
  return c.json(await jwtResponse(c.env, user, session, false))
})

auth.post('/logout', async (c) => {
  await readBody(c.req.raw)
  const { session } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  await c.env.store.putSession({ ...session, revoked: true })
  return c.json({})
})

auth.post('/logoutall', async (c) => {
  await readBody(c.req.raw)
  const { user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  for (const session of await c.env.store.sessionsOf(user.userId)) {
    if (!session.revoked) await c.env.store.putSession({ ...session, revoked: true })
  }
  return c.json({})
})

auth.get('/me', async (c) => {
  const { user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  return c.json(userResponse(user))
})
