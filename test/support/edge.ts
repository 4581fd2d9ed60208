/**
 * Helpers for the workerd tests: call the real Worker entry with the test bindings (optionally
 * overridden, e.g. a project ID of the test's own so emulator counters and faults are isolated),
 * and drive the emulator's test-control API.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { Fault } from '../../emulator/src/store'
import type { Env } from '../../src/env'
import worker from '../../src/index'
import { type EmulatorControl, emulatorControl as controlAt, newProjectId } from './emulator-control.mjs'

export { type EmulatorUser, newProjectId } from './emulator-control.mjs'

/** A fault the emulator applies to matching requests (emulator/README.md, "Test-control API"). */
export type EmulatorFault = Fault

/** Where the Worker finds the emulator in these tests (routed by Miniflare's outboundService). */
export const EMULATOR_URL = 'http://emulator.localhost'
export const ORIGIN = 'https://app.example.com'
/** The Worker's default cookie names (src/config.ts; docs/threat-model.md, T54). */
export const SESSION_COOKIE = '__Host-DS'
export const REFRESH_COOKIE = '__Host-DSR'

/** Calls the Worker's `fetch` with the test env plus overrides, and waits for its `waitUntil`s. */
export function edgeFetch(input: string | Request, init?: RequestInit, overrides: Partial<Env> = {}): Promise<Response> {
  return callWorker({ ...env, ...overrides } as Env, input, init)
}

/** A Worker bound to its own project: `edge.fetch(path, init)`. Keep one per test file (config is cached per env object). */
export function edgeFor(projectId = newProjectId(), overrides: Partial<Env> = {}) {
  const bindings = { ...env, DESCOPE_PROJECT_ID: projectId, ...overrides } as Env
  return {
    projectId,
    emulator: emulatorControl(projectId),
    fetch: (input: string | Request, init?: RequestInit) => callWorker(bindings, input, init),
  }
}

/** The emulator's test-control API for one project (emulator/README.md, "Test-control API"). */
export function emulatorControl(projectId: string, baseUrl = EMULATOR_URL): EmulatorControl<EmulatorFault> {
  return controlAt<EmulatorFault>(projectId, baseUrl)
}

async function callWorker(bindings: Env, input: string | Request, init?: RequestInit): Promise<Response> {
  const request = typeof input === 'string' ? new Request(new URL(input, 'https://edge.example'), init) : input
  const ctx = createExecutionContext()
  const response = await worker.fetch(request, bindings as never, ctx)
  await waitOnExecutionContext(ctx)
  return response
}
