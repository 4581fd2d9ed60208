/**
 * Sign-in decoys on Worker instances (workerd isolates with their own memory, one KV
 * namespace, one emulator), as two isolates or locations of one deploy: an unknown login ID gets
 * the same `allowCredentials` from both, before and after another account signs in, and both lay
 * a decoy out as a real answer. (Within one isolate: test/workers/decoy.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadMiniflare } from '../../scripts/lib/workerd.mjs'
import { SoftwareAuthenticator } from '../support/authenticator'
import { edgeWorkers } from '../support/edge-workers'

// A page on a subdomain of the passkey domain (the emulator's EMULATOR_RP_ID), as README's deploy
// step sets Descope's: real answers then say rpId `localhost`, not the page's host (T61).
const ORIGIN = 'http://app.localhost:8787'
const RP_ID = 'localhost'
const PROJECT_ID = 'P2decoyinstances00000000000A'

let dir: string
let miniflare: Awaited<ReturnType<typeof start>>

async function start() {
  dir = await mkdtemp(join(tmpdir(), 'passkey-edge-decoy-'))
  const workers = await edgeWorkers(dir, { projectId: PROJECT_ID, origin: ORIGIN })
  const { Miniflare } = await loadMiniflare()
  // Reached by host through dispatchFetch (getWorker's fetch refuses an Origin of another host).
  const edge = (name: string) => workers.edge(name, { routes: [`${name}.test/*`] })
  const instance = new Miniflare({ workers: [edge('edge-a'), edge('edge-b'), edge('edge-c'), workers.emulator({ EMULATOR_RP_ID: RP_ID })] })
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
  const response = await miniflare.dispatchFetch(`http://${workerName}.test${path}`, {
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

describe('sign-in decoys on several Worker instances (T51)', () => {
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
    // One to three credentials (T61), each laid out as the real user's one.
    const firstCredential = (publicKey: Record<string, any>) => ({ ...publicKey, allowCredentials: publicKey.allowCredentials.slice(0, 1) })
    for (const decoy of [...before, ...after]) {
      expect(decoy.allowCredentials).toEqual(before[0].allowCredentials)
      expect(layout(firstCredential(decoy))).toEqual(layout(firstCredential(real)))
    }
  }, 30_000)

  it('should answer with the rpId of real answers on an instance that has served no real start (the template is kept in KV)', async () => {
    // edge-a serves real starts; edge-c has served nothing yet (a cold isolate at another location).
    const known = `owner-${crypto.randomUUID().slice(0, 8)}@example.com`
    const device = new SoftwareAuthenticator()
    const signUp = await post('edge-a', '/auth/passkey/signup/start', { loginId: known })
    const created = await device.create(signUp.json.options, ORIGIN)
    expect((await post('edge-a', '/auth/passkey/signup/finish', { transactionId: signUp.json.transactionId, response: created }, signUp.cookies)).status).toBe(
      200
    )
    const real = await signInStart('edge-a', known)
    expect(real.rpId).toBe(RP_ID)
    const decoy = await signInStart('edge-c', `ghost-${crypto.randomUUID().slice(0, 8)}@example.com`)
    expect({ rpId: decoy.rpId, timeout: decoy.timeout, userVerification: decoy.userVerification }).toEqual({
      rpId: real.rpId,
      timeout: real.timeout,
      userVerification: real.userVerification,
    })
  }, 30_000)
})
