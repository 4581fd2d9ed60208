/**
 * @module
 * Demo protected routes: `GET /api/hello`, `GET /api/sensitive` (issue: session).
 */
import { Hono } from 'hono'
import type { AppEnv } from '../env'

export const demoRoutes = new Hono<AppEnv>()
