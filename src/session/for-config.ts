/**
 * @module
 * The Worker's session setup: one per configuration object, with the isolate's key store for its
 * JWKS source and, in workerd, the Cache API layer shared by the isolates of a location
 * (authenticated with the edge secret kept in this Worker's KV namespace).
 */
import type { Config } from '../config'
import type { DescopeClient } from '../descope/client'
import { edgeKey } from '../edge-secret'
import type { KeyStore } from '../keys/key-store'
import { keyStoreOf, sessionSetup, type SessionSetup } from './setup'
import { cacheApiKeyCache } from '../keys/shared-key-cache'
import type { TokenVerifier } from './verify'

const setups = new WeakMap<Config, SessionSetup>()

/** The isolate's key store for this configuration's JWKS source. */
export function keyStoreForConfig(config: Config, descope: DescopeClient): KeyStore {
  // Reading the edge secret must not hold up a cold key load for long: Descope is the fallback.
  return keyStoreOf(config, descope, () => cacheApiKeyCache(config.baseUrl, config.projectId, () => edgeKey(config, undefined, 1_000)))
}

/** The session setup of this configuration (built once per isolate and configuration). */
export function sessionSetupFor(config: Config, descope: DescopeClient): SessionSetup {
  let setup = setups.get(config)
  if (!setup) {
    setup = sessionSetup(config, descope, keyStoreForConfig(config, descope))
    setups.set(config, setup)
  }
  return setup
}

/** The session verifier for this configuration (built once per isolate and configuration). */
export function verifierFor(config: Config, descope: DescopeClient): TokenVerifier {
  return sessionSetupFor(config, descope).verifier
}
