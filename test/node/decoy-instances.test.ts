/**
 * Sign-in decoys on two Worker instances (two workerd isolates with their own memory, one KV
 * namespace, one emulator), as two isolates or locations of one deploy: an unknown login ID gets
 * the same `allowCredentials` from both, before and after another account signs in, and both lay
 * a decoy out as a real answer. (Within one isolate: test/workers/decoy.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleEmulator, bundleWorker, COMPATIBILITY_DATE, EMULATOR_DURABLE_OBJECTS, loadMiniflare } from '../../scripts/lib/workerd.mjs'
import { SoftwareAuthenticator } from '../support/authenticator'

// Miniflare's entry refuses a foreign Origin header; localhost is what it lets through.
const ORIGIN = 'http://localhost:8787'
const PROJECT_ID = 'P2decoyinstances00000000000A'

let dir: string
let miniflare: Awaited<ReturnType<typeof start>>

async function start() {
  dir = await mkdtemp(join(tmpdir(), 'passkey-edge-decoy-'))
  const worker = await bundleWorker('src/index.ts', join(dir, 'worker.js'))
  const emulator = await bundleEmulator(join(dir, 'emulator.js'))
  const { Miniflare } = await loadMiniflare()
  const edge = (name: string) => ({
    name,
    modules: true,
    scriptPath: worker,
    modulesRoot: dir,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { DESCOPE_PROJECT_ID: PROJECT_ID, DESCOPE_BASE_URL: 'http://emulator.localhost', ALLOWED_ORIGINS: ORIGIN },
    // One namespace for both, as for every isolate of one deploy.
    kvNamespaces: { TRANSACTIONS: 'transactions' },
    outboundService: 'emulator',
  })
  const instance = new Miniflare({
    workers: [
      edge('edge-a'),
      edge('edge-b'),
      {
        name: 'emulator',
        modules: true,
        scriptPath: emulator,
        modulesRoot: dir,
        compatibilityDate: COMPATIBILITY_DATE,
        durableObjects: EMULATOR_DURABLE_OBJECTS,
      },
    ],
  })
  await instance.ready
  return instance
}

beforeAll(async () => {
  miniflare = await start()
}, 60_000)

afterAll(async () => {
  await miniflare?.dispose()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function post(workerName: string, path: string, body: unknown, cookie = '') {
  const worker = await miniflare.getWorker(workerName)
  const response = await worker.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, Cookie: cookie },
    body: JSON.stringify(body),
  })
  const cookies = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  return { status: response.status, json: (await response.json()) as Record<string, any>, cookies }
}

const signInStart = async (workerName: string, loginId: string) => (await post(workerName, '/auth/passkey/signin/start', { loginId })).json.options.publicKey

/** Key names and value types, in order. */
function layout(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(layout)
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([key, inner]) => [key, layout(inner)])
  return typeof value
}

describe('sign-in decoys on two Worker instances', () => {
  it('should give an unknown login ID the same allowCredentials on both, before and after another account signs in', async () => {
    const unknown = `ghost-${crypto.randomUUID().slice(0, 8)}@example.com`
    const before = [await signInStart('edge-a', unknown), await signInStart('edge-b', unknown)]
    expect(before[1].allowCredentials).toEqual(before[0].allowCredentials)

    // Another account signs up and in through instance A only.
    const known = `owner-${crypto.randomUUID().slice(0, 8)}@example.com`
    const device = new SoftwareAuthenticator()
    const signUp = await post('edge-a', '/auth/passkey/signup/start', { loginId: known })
    const created = await device.create(signUp.json.options, ORIGIN)
    const finish = await post('edge-a', '/auth/passkey/signup/finish', { transactionId: signUp.json.transactionId, response: created }, signUp.cookies)
    expect(finish.status).toBe(200)
    const real = await signInStart('edge-a', known)

    const after = [await signInStart('edge-a', unknown), await signInStart('edge-b', unknown)]
    for (const decoy of [...before, ...after]) {
      expect(decoy.allowCredentials).toEqual(before[0].allowCredentials)
      expect(layout(decoy)).toEqual(layout(real))
    }
  }, 30_000)
})
