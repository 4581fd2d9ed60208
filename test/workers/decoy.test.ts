/**
 * Sign-in decoys (src/passkey/decoy.ts) cannot be told apart from real answers by what other
 * accounts do or by time. (KV faults: decoy-kv-fault.test.ts; two Worker instances:
 * test/node/decoy-instances.test.ts.) The first test must run before any real sign-in in this
 * file's isolate.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { edgeFor } from '../support/edge'
import { Browser, newLoginId, post } from './passkey-helpers'

const edge = edgeFor()

async function startFor(loginId: string, target = edge) {
  const response = await post(target, '/auth/passkey/signin/start', { loginId })
  const text = await response.text()
  return { response, text, publicKey: (JSON.parse(text) as { options?: { publicKey: Record<string, any> } }).options?.publicKey }
}

/** Another deployment's KV namespace: the same local KV, every key under a prefix of its own (so its own edge secret). */
function getKvNamespace(deployment: string): KVNamespace {
  return new Proxy(env.TRANSACTIONS, {
    get(target, name) {
      const member = Reflect.get(target, name)
      if (typeof member !== 'function') return member
      return (key: unknown, ...rest: unknown[]) => member.call(target, typeof key === 'string' ? `${deployment}/${key}` : key, ...rest)
    },
  })
}

/** Key names and value types, in order: what tells one answer's layout from another's. */
function layout(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(layout)
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([key, inner]) => [key, layout(inner)])
  return typeof value
}

describe('sign-in decoys', () => {
  it('should give an unknown login ID the same allowCredentials before and after another account signs in, laid out as a real answer (T51)', async () => {
    const unknown = newLoginId('ghost')
    // A cold isolate: no real answer seen yet.
    const before = await startFor(unknown)
    expect(before.response.status).toBe(200)

    const owner = new Browser(edge)
    const known = newLoginId('owner')
    await owner.signUp(known)
    const real = await startFor(known)
    expect(real.response.status).toBe(200)
    const after = await startFor(unknown)

    expect(after.publicKey!.allowCredentials).toEqual(before.publicKey!.allowCredentials)
    expect(after.publicKey!.challenge).not.toBe(before.publicKey!.challenge)
    // One to three credentials (T61), each laid out as the real user's one.
    const firstCredential = (publicKey: Record<string, any>) => ({ ...publicKey, allowCredentials: publicKey.allowCredentials.slice(0, 1) })
    for (const decoy of [before, after]) expect(layout(firstCredential(decoy.publicKey!))).toEqual(layout(firstCredential(real.publicKey!)))
    // Nothing of the real user's credential in the decoy.
    expect(JSON.stringify(after.publicKey)).not.toContain(real.publicKey!.allowCredentials[0].id)
  })

  it('should pick credential kinds a real authenticator makes: base64url IDs of 16, 20 or 32 bytes, with their transports (T51)', async () => {
    const seen = new Set<number>()
    for (let index = 0; index < 24; index++) {
      const { publicKey } = await startFor(newLoginId('kind'))
      for (const credential of publicKey!.allowCredentials) {
        expect(Object.keys(credential)).toEqual(['type', 'id', 'transports'])
        expect(credential.id).toMatch(/^[A-Za-z0-9_-]+$/)
        expect([22, 27, 43]).toContain(credential.id.length)
        seen.add(credential.id.length)
      }
    }
    expect(seen.size).toBeGreaterThan(1)
  })

  it('should list one to three credentials, as many as the secret and the login ID say, the same each time (T61)', async () => {
    const counts = new Map<number, number>()
    for (let index = 0; index < 30; index++) {
      const loginId = newLoginId('count')
      const first = (await startFor(loginId)).publicKey!.allowCredentials
      expect((await startFor(loginId.toUpperCase())).publicKey!.allowCredentials).toEqual(first)
      counts.set(first.length, (counts.get(first.length) ?? 0) + 1)
      expect(new Set(first.map((credential: { id: string }) => credential.id)).size).toBe(first.length)
    }
    expect([...counts.keys()].every((count) => count >= 1 && count <= 3)).toBe(true)
    expect(counts.size).toBeGreaterThan(1)
  })

  it("should key decoys by the deployment's edge secret: two deployments answer one unknown login ID differently, each stably", async () => {
    // With a key anyone could know, reading the code would tell a decoy from a real answer (T21, T51).
    const ghost = newLoginId('ghost')
    const one = edgeFor(edge.projectId, { TRANSACTIONS: getKvNamespace('deployment-one') })
    const two = edgeFor(edge.projectId, { TRANSACTIONS: getKvNamespace('deployment-two') })
    const credentials = async (target: typeof edge) => (await startFor(ghost, target)).publicKey!.allowCredentials
    const first = await credentials(one)
    expect(await credentials(two)).not.toEqual(first)
    expect(await credentials(one)).toEqual(first)
    // A new binding object is a cold isolate of deployment one: it reads the secret from KV again.
    expect(await credentials(edgeFor(edge.projectId, { TRANSACTIONS: getKvNamespace('deployment-one') }))).toEqual(first)
    const [secretOne, secretTwo] = await Promise.all([env.TRANSACTIONS.get('deployment-one/secret:edge'), env.TRANSACTIONS.get('deployment-two/secret:edge')])
    expect(secretOne).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(secretTwo).not.toBe(secretOne)
  })
})
