/**
 * @module
 * `GET /auth/session`, `POST /auth/refresh`, `POST /auth/logout`, `GET /auth/me` (issue: session).
 */
import { Hono } from 'hono'
import type { AppEnv } from '../env'

export const sessionRoutes = new Hono<AppEnv>()
