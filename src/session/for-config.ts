/**
 * @module
 * One verifier per configuration and one key store per JWKS source (base URL + project ID) per
 * isolate: the keys survive between requests and are shared by every configuration object
 * that names the same source.
 */
import type { Config } from '../config'
import type { DescopeClient } from '../descope/client'
import { keyStoreFor, type KeyStore } from './jwks'
import { cacheApiKeyCache } from './shared-key-cache'
import { createVerifier, type TokenVerifier } from './verify'

const verifiers = new WeakMap<Config, TokenVerifier>()

/** The isolate's key store for this configuration's JWKS source. */
export function keyStoreForConfig(config: Config, descope: DescopeClient): KeyStore {
  return keyStoreFor(`${config.baseUrl}|${config.projectId}`, () => ({
    fetchKeys: () => descope.keys(),
    shared: cacheApiKeyCache(config.baseUrl, config.projectId),
  }))
}

/** The session verifier for this configuration (built once per isolate and configuration). */
export function verifierFor(config: Config, descope: DescopeClient): TokenVerifier {
  let verifier = verifiers.get(config)
  if (!verifier) {
    verifier = createVerifier({
      projectId: config.projectId,
      audience: config.audience,
      clockToleranceSeconds: config.clockToleranceSeconds,
      keys: keyStoreForConfig(config, descope),
    })
    verifiers.set(config, verifier)
  }
  return verifier
}
