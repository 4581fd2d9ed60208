/**
 * A sign-in decoy meets a KV fault exactly as a real sign-in start does. Its own file, so its
 * isolate has never read the edge secret: the decoy's first KV read is the one that fails.
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { edgeFor } from '../support/edge'
import { Browser, newLoginId, post, type Edge } from './passkey-helpers'

const edge = edgeFor()

/** A KV binding whose every call fails (or never answers). */
function brokenKv(mode: 'throw' | 'hang'): KVNamespace {
  return new Proxy(env.TRANSACTIONS, {
    get(target, name) {
      if (name === 'get' || name === 'put' || name === 'delete') {
        return () => (mode === 'throw' ? Promise.reject(new Error('KV GET failed: 500')) : new Promise(() => {}))
      }
      return Reflect.get(target, name)
    },
  })
}

async function startFor(loginId: string, target: Edge) {
  const response = await post(target, '/auth/passkey/signin/start', { loginId })
  return { response, text: await response.text() }
}

it('should answer a KV fault at sign-in start the same for an unknown login ID as for a known one (503, same body and headers) (T51)', async () => {
  const known = newLoginId('owner')
  await new Browser(edge).signUp(known)
  for (const mode of ['throw', 'hang'] as const) {
    const broken = edgeFor(edge.projectId, { TRANSACTIONS: brokenKv(mode) })
    const [real, decoy] = await Promise.all([startFor(known, broken), startFor(newLoginId('ghost'), broken)])
    expect([real.response.status, decoy.response.status], mode).toEqual([503, 503])
    // Byte for byte, but for the request ID every error body carries.
    const withoutId = (text: string) => text.replace(/"requestId":"[^"]*"/, '')
    expect(withoutId(decoy.text), mode).toBe(withoutId(real.text))
    expect([...decoy.response.headers].sort(), mode).toEqual([...real.response.headers].sort())
  }
}, 20_000)
