/**
 * @module
 * The Hono env of the per-project app: what each route module gets as `c.env`.
 */
import type { SessionContext } from './sessions'

/** What each per-project request handler gets as `c.env`. */
export interface ProjectBindings extends SessionContext {
  rpId?: string
}

export type ProjectEnv = { Bindings: ProjectBindings }

/** Internal header by which the front Worker names the project to its Durable Object. */
export const PROJECT_HEADER = 'x-emulator-project'
