/**
 * @module
 * What the session check needs to run, whoever runs it: this Worker (from its `Config`), the
 * `descopeSession()` middleware of the package (from its options), the RPC entrypoint. One
 * `SessionSetup` holds the settings, the Descope client (JWKS, refresh) and the verifier.
 *
 * The key store is the isolate's, per JWKS source (base URL + project ID, keys/key-store.ts `keyStoreFor`):
 * this Worker, a `descopeSession()` and a `createVerifier()` naming the same project in one isolate
 * share one set of imported keys.
 */
import { createDescopeClient, type DescopeClient } from '../descope/client'
import { clockCache } from '../lib/clock-cache'
import { keyStoreFor, type KeyStore } from '../keys/key-store'
import type { SharedKeyCache } from '../keys/shared-key-cache'
import { createTokenVerifier, type TokenVerifier } from './verify'

/** The settings of the session check (a subset of the Worker's `Config`). */
export interface SessionSettings {
  projectId: string
  /** Descope API base, without a trailing slash. */
  baseUrl: string
  /** Required `aud` of session tokens; unset means no audience check. */
  audience: string | undefined
  clockToleranceSeconds: number
  sessionCookieName: string
  refreshCookieName: string
  /** Timeout of every call to Descope (milliseconds). */
  upstreamTimeoutMs: number
}

export interface SessionSetup {
  settings: SessionSettings
  descope: DescopeClient
  verifier: TokenVerifier
}

/** The isolate's key store for a JWKS source; `shared` only matters to the first caller. */
export function keyStoreOf(settings: SessionSettings, descope: DescopeClient, shared?: () => SharedKeyCache | undefined): KeyStore {
  return keyStoreFor(`${settings.baseUrl}|${settings.projectId}`, () => ({ fetchKeys: () => descope.keys(), shared: shared?.() }))
}

/** A setup around an existing Descope client and key store. */
export function sessionSetup(settings: SessionSettings, descope: DescopeClient, keys: KeyStore): SessionSetup {
  const { projectId, audience, clockToleranceSeconds } = settings
  return { settings, descope, verifier: createTokenVerifier({ projectId, audience, clockToleranceSeconds, keys }) }
}

/** Setups by their settings, for callers that build settings per request (a few per isolate). */
const bySettings = /* @__PURE__ */ clockCache<string, SessionSetup>(32)

/**
 * The setup for these settings, built once per isolate: settings with equal values share the
 * verifier (and its memory of verified tokens). No shared cache across isolates: that layer is
 * this Worker's (it needs the Cache API and the Worker's own secret).
 */
export function sessionSetupOf(settings: SessionSettings): SessionSetup {
  const id = JSON.stringify([
    settings.projectId,
    settings.baseUrl,
    settings.audience ?? null,
    settings.clockToleranceSeconds,
    settings.sessionCookieName,
    settings.refreshCookieName,
    settings.upstreamTimeoutMs,
  ])
  let setup = bySettings.get(id)
  if (!setup) {
    const descope = createDescopeClient({ baseUrl: settings.baseUrl, projectId: settings.projectId, timeoutMs: settings.upstreamTimeoutMs })
    setup = sessionSetup(settings, descope, keyStoreOf(settings, descope))
    bySettings.set(id, setup)
  }
  return setup
}
