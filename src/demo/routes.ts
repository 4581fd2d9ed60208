/**
 * @module
 * Demo protected routes: `GET /api/hello` needs a session, `GET /api/sensitive` a stepped-up one.
 */
import { Hono } from 'hono/tiny'
import type { AppEnv } from '../context'
import { requireSession } from '../session/middleware'

export const demoRoutes = new Hono<AppEnv>()

demoRoutes.get('/hello', requireSession(), (c) => {
  const { userId, expiresAt, roles, amr } = c.var.session
  return c.json({ userId, message: 'Hello from the edge.', expiresAt, roles, amr })
})

demoRoutes.get('/sensitive', requireSession({ stepup: true }), (c) => {
  const { userId, expiresAt } = c.var.session
  return c.json({ userId, stepUp: true, message: 'Confirmed with your passkey.', expiresAt })
})
