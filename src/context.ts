/**
 * @module
 * The Hono env of the app: the Worker's bindings and the request-scoped values middleware sets,
 * so `c.var.<name>` is typed in every route.
 */
import type { Config } from './config.ts'
import type { DescopeClient } from './descope/client.ts'
import type { VerifiedRefreshToken } from './descope/types.ts'
import type { Env } from './env.ts'
import type { Session } from './session/types.ts'
import type { Telemetry } from './telemetry/telemetry.ts'

/** Request-scoped values set by middleware. */
interface AppVariables {
  config: Config
  /** The Descope client for this configuration (one per isolate). */
  descope: DescopeClient
  /** The request's allowed `Origin`, set by `requireAllowedOrigin`. */
  origin: string
  /** Set by the session middleware on protected routes. */
  session: Session
  /** The refresh token an edge refresh in this request left valid (rotated, or the cookie's own), already verified. */
  refreshedToken: VerifiedRefreshToken | undefined
  /** The request's ID, log lines and data points; made on first use by `getTelemetry(c)`. */
  telemetry: Telemetry | undefined
}

export interface AppEnv {
  Bindings: Env
  Variables: AppVariables
}
