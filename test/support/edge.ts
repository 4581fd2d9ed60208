/**
 * Helpers for the workerd tests: call the real Worker entry with the test bindings (optionally
 * overridden, e.g. a project ID of the test's own so emulator counters and faults are isolated),
 * and drive the emulator's test-control API.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../src/index'
import type { ProjectSettings } from '../../emulator/src/settings'
import type { Fault } from '../../emulator/src/store'
import type { Env } from '../../src/env'

/** Where the Worker finds the emulator in these tests (routed by Miniflare's outboundService). */
export const EMULATOR_URL = 'http://emulator.localhost'
export const ORIGIN = 'https://app.example.com'

/** A fresh, well-formed Descope project ID: the emulator gives each its own users, keys and counters. */
export function newProjectId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(27))
  return `P${Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('')}`
}

/** Calls the Worker's `fetch` with the test env plus overrides, and waits for its `waitUntil`s. */
export async function edgeFetch(input: string | Request, init?: RequestInit, overrides: Partial<Env> = {}): Promise<Response> {
  const request = typeof input === 'string' ? new Request(new URL(input, 'https://edge.example'), init) : input
  const ctx = createExecutionContext()
  const response = await worker.fetch(request, { ...env, ...overrides } as never, ctx)
  await waitOnExecutionContext(ctx)
  return response
}

/** A Worker bound to its own project: `edge.fetch(path, init)`. Keep one per test file (config is cached per env object). */
export function edgeFor(projectId = newProjectId(), overrides: Partial<Env> = {}) {
  const bindings = { ...env, DESCOPE_PROJECT_ID: projectId, ...overrides } as Env
  return {
    projectId,
    emulator: emulatorControl(projectId),
    async fetch(input: string | Request, init?: RequestInit): Promise<Response> {
      const request = typeof input === 'string' ? new Request(new URL(input, 'https://edge.example'), init) : input
      const ctx = createExecutionContext()
      const response = await worker.fetch(request, bindings as never, ctx)
      await waitOnExecutionContext(ctx)
      return response
    },
  }
}

/** A fault the emulator applies to matching requests (emulator/README.md, "Test affordances"). */
export type EmulatorFault = Fault

/** A user as `POST /emulator/:projectId/users` takes it. */
export interface EmulatorUser {
  loginId: string
  name?: string
  email?: string
  phone?: string
  roles?: string[]
  permissions?: string[]
  tenants?: Array<{ tenantId: string; roles?: string[]; permissions?: string[] }>
}

/** The emulator's test-control API for one project (emulator/README.md, "Test affordances"). */
export function emulatorControl(projectId: string, baseUrl = EMULATOR_URL) {
  const base = `${baseUrl}/emulator/${projectId}`
  async function send(method: string, path: string, body?: unknown) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`emulator control ${method} ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }
  return {
    /** Calls per route since the last reset, keyed `"METHOD /path"` (the keys path without the project ID: `"GET /v2/keys"`). */
    async calls(): Promise<Record<string, number>> {
      return (await send('GET', '/calls')).calls as Record<string, number>
    },
    async count(route: string): Promise<number> {
      return (await this.calls())[route] ?? 0
    },
    resetCalls: () => send('DELETE', '/calls'),
    fault: (fault: EmulatorFault) => send('POST', '/faults', fault),
    clearFaults: () => send('DELETE', '/faults'),
    /** A new signing key; the old one stays in the JWKS only with `keepOld`. */
    rotateKeys: (options: { keepOld?: boolean } = {}) => send('POST', '/keys/rotate', options) as Promise<{ kid: string }>,
    /** Shifts the emulator's clock (token times, transaction expiry). */
    setClock: (offsetSeconds: number) => send('POST', '/clock', { offsetSeconds }),
    /** Merges Descope-named project settings (emulator/README.md, "Project settings"); answers all of them. */
    settings: (settings: Partial<ProjectSettings> = {}) => send('PUT', '/settings', settings) as Promise<unknown> as Promise<ProjectSettings>,
    /** A user without a passkey, as if made in the Descope console. */
    createUser: async (user: EmulatorUser) => ((await send('POST', '/users', user)) as { userId: string }).userId,
    /** Replaces the given fields of a user (roles, permissions, tenants, profile, status); answers the user object. */
    patchUser: (userId: string, patch: Partial<Omit<EmulatorUser, 'loginId'>> & { status?: 'enabled' | 'disabled' }) => send('PATCH', `/users/${userId}`, patch),
    /** Signs any payload with the project's current key (header defaults: RS256 and the current kid). */
    sign: async (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      ((await send('POST', '/sign', { payload, header })) as { jwt: string }).jwt,
  }
}
