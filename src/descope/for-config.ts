/**
 * @module
 * One Descope client per configuration, so an isolate builds it once.
 */
import type { Config } from '../config.ts'
import { createDescopeClient, type DescopeClient } from './client.ts'

const clients = new WeakMap<Config, DescopeClient>()

export function getDescopeClient(config: Config): DescopeClient {
  let client = clients.get(config)
  if (!client) {
    client = createDescopeClient({ baseUrl: config.baseUrl, projectId: config.projectId, timeoutMs: config.upstreamTimeoutMs })
    clients.set(config, client)
  }
  return client
}
