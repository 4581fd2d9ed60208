/**
 * @module
 * Refresh, logout, logoutall and me (docs/descope-contract.md §3.8–§3.11): each needs a valid, unrevoked
 * refresh JWT; bodies may be absent (Go, Kotlin) and query strings (web-js `dcs`/`dcr`) are ignored.
 * Answers follow the project's settings: rotation, tokens as cookies, cookies cleared at logout.
 */
import { Hono } from 'hono'
import type { ProjectEnv } from './context'
import { logoutResponse, tokenResponse } from './cookies'
import { readBody, readRefreshToken } from './request'
import { refreshAnswer, requireRefresh } from './sessions'
import { userResponse } from './users'

export const auth = new Hono<ProjectEnv>()

auth.post('/refresh', async (c) => {
  await readBody(c.req.raw)
  const { session, user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  // A new session JWT; a new refresh JWT only with rotation (docs/descope-contract.md §3.8).
  return tokenResponse(c.env.store.settings(), await refreshAnswer(c.env, user, session))
})

auth.post('/logout', async (c) => {
  await readBody(c.req.raw)
  const { session } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  await c.env.store.putSession({ ...session, revoked: true })
  return logoutResponse(c.env.store.settings())
})

auth.post('/logoutall', async (c) => {
  await readBody(c.req.raw)
  const { user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  for (const session of await c.env.store.sessionsOf(user.userId)) {
    if (!session.revoked) await c.env.store.putSession({ ...session, revoked: true })
  }
  return logoutResponse(c.env.store.settings())
})

auth.get('/me', async (c) => {
  const { user } = await requireRefresh(c.env, readRefreshToken(c.req.raw))
  return c.json(userResponse(user))
})
