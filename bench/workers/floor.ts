/**
 * @module
 * Peer: the crypto floor — one `crypto.subtle.verify` (RS256) with a key imported once per
 * isolate, plus the least a real check must do (split, decode, `exp`). Unknown `kid`s are refused
 * without a re-fetch, so this is a lower bound, not a usable middleware.
 */
import { Hono } from 'hono'
import { bearer, jwksUrl, type PeerEnv } from './env'
import { withProbe } from './probe'

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const
let keys: Promise<Map<string, CryptoKey>> | undefined

async function loadKeys(env: PeerEnv): Promise<Map<string, CryptoKey>> {
  const response = await fetch(jwksUrl(env))
  const body = (await response.json()) as { keys?: Array<JsonWebKey & { kid?: string }> }
  const imported = new Map<string, CryptoKey>()
  for (const jwk of body.keys ?? []) {
    if (jwk.kid && jwk.kty === 'RSA') imported.set(jwk.kid, await crypto.subtle.importKey('jwk', jwk, RS256, false, ['verify']))
  }
  return imported
}

const decoder = new TextDecoder()
function base64url(part: string): Uint8Array {
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

async function verify(token: string, env: PeerEnv): Promise<{ sub?: string } | undefined> {
  const [head, body, signature] = token.split('.')
  if (!head || !body || !signature) return undefined
  const header = JSON.parse(decoder.decode(base64url(head))) as { alg?: string; kid?: string }
  if (header.alg !== 'RS256' || !header.kid) return undefined
  keys ??= loadKeys(env)
  const key = (await keys).get(header.kid)
  if (!key) return undefined
  const data = new TextEncoder().encode(`${head}.${body}`)
  if (!(await crypto.subtle.verify(RS256, key, base64url(signature), data))) return undefined
  const claims = JSON.parse(decoder.decode(base64url(body))) as { sub?: string; exp?: number }
  return typeof claims.exp === 'number' && claims.exp > Date.now() / 1000 ? claims : undefined
}

const app = new Hono<{ Bindings: PeerEnv }>()
app.get('/api/hello', async (c) => {
  const token = bearer(c.req.raw)
  const claims = token ? await verify(token, c.env).catch(() => undefined) : undefined
  if (!claims) return c.json({ error: 'unauthorized' }, 401)
  return c.json({ userId: claims.sub })
})
app.get('/open', (c) => c.json({ ok: true }))

export default withProbe(app, { openPath: '/open' })
