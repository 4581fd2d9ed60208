/**
 * @module
 * The Worker's session setup: the shared one (setup.ts) with, in workerd, the Cache API layer the
 * isolates of a location share, authenticated with the edge secret in this Worker's KV namespace.
 */
import type { Config } from '../config.ts'
import { edgeKey } from '../edge-secret.ts'
import { cacheApiKeyCache } from '../keys/shared-key-cache.ts'
import { getSessionSetup, type SessionSetup } from './setup.ts'

/** The session setup of this Worker's configuration (built once per isolate). */
export function getWorkerSetup(config: Config): SessionSetup {
  // Reading the edge secret must not hold up a cold key load for long: Descope is the fallback.
  return getSessionSetup(config, () => cacheApiKeyCache(config.baseUrl, config.projectId, () => edgeKey(config, undefined, 1_000)))
}
