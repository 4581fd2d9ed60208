/**
 * @module
 * Demo protected routes: `GET /api/hello` needs a session, `GET /api/sensitive` a stepped-up one.
 */
import type { Hono } from 'hono/tiny'
import type { AppEnv } from '../context.ts'
import { requireSession } from '../session/middleware.ts'

/** Registers these routes on `routes`, the app at `/api` (src/app.ts). */
export function demoRoutes(routes: Hono<AppEnv>): void {
  routes.get('/hello', requireSession(), (c) => {
    const { userId, expiresAt, roles, amr } = c.var.session
    return c.json({ userId, message: 'Hello from the edge.', expiresAt, roles, amr })
  })

  routes.get('/sensitive', requireSession({ stepup: true }), (c) => {
    const { userId, expiresAt } = c.var.session
    return c.json({ userId, stepUp: true, message: 'Confirmed with your passkey.', expiresAt })
  })
}
