/**
 * @module
 * `POST /auth/passkey/{signup,signin,signup-in,update}/{start,finish}` (issue: passkey flows).
 */
import { Hono } from 'hono'
import type { AppEnv } from '../env'

export const passkeyRoutes = new Hono<AppEnv>()
