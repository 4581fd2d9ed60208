/**
 * @module
 * What the session check needs to run, whoever runs it (this Worker, `descopeSession()`,
 * `createVerifier()`, the RPC entrypoint): the settings, the Descope client (JWKS, refresh), the
 * key store and the verifier, got once per isolate through `getSessionSetup`. Callers naming the
 * same project in one isolate share one set of imported keys (keys/key-store.ts).
 */
import { createDescopeClient, type DescopeClient } from '../descope/client.ts'
import { clockCache } from '../lib/clock-cache.ts'
import { getKeyStore, type KeyStore } from '../keys/key-store.ts'
import type { SharedKeyCache } from '../keys/shared-key-cache.ts'
import { createJwtVerifier, type JwtVerifier } from './jwt.ts'

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
  /** The isolate's key store for this JWKS source (base URL + project ID). */
  keys: KeyStore
  verifier: JwtVerifier
}

/** Setups by their settings object, then by their values (a few per isolate). */
const byObject = new WeakMap<SessionSettings, SessionSetup>()
const byValue = /* @__PURE__ */ clockCache<string, SessionSetup>(32)

/**
 * The session setup for these settings, built once per isolate: settings with equal values share
 * it (the verifier and its memory of verified tokens). `sharedKeys` is the location's key cache
 * across isolates (this Worker's: it needs the Cache API and the Worker's own secret); the key
 * store is the isolate's per JWKS source, so only its first caller's `sharedKeys` counts.
 */
export function getSessionSetup(settings: SessionSettings, sharedKeys?: () => SharedKeyCache | undefined): SessionSetup {
  let setup = byObject.get(settings)
  if (setup) return setup
  const id = JSON.stringify([
    settings.projectId,
    settings.baseUrl,
    settings.audience ?? null,
    settings.clockToleranceSeconds,
    settings.sessionCookieName,
    settings.refreshCookieName,
    settings.upstreamTimeoutMs,
    sharedKeys !== undefined,
  ])
  setup = byValue.get(id)
  if (!setup) {
    setup = createSessionSetup(settings, sharedKeys)
    byValue.set(id, setup)
  }
  byObject.set(settings, setup)
  return setup
}

function createSessionSetup(settings: SessionSettings, sharedKeys: (() => SharedKeyCache | undefined) | undefined): SessionSetup {
  const { projectId, baseUrl, audience, clockToleranceSeconds, upstreamTimeoutMs } = settings
  const descope = createDescopeClient({ baseUrl, projectId, timeoutMs: upstreamTimeoutMs })
  const keys = getKeyStore(`${baseUrl}|${projectId}`, () => ({ fetchKeys: () => descope.keys(), shared: sharedKeys?.() }))
  return { settings, descope, keys, verifier: createJwtVerifier({ projectId, audience, clockToleranceSeconds, keys }) }
}
