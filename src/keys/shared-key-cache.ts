/**
 * @module
 * The JWKS shared by all isolates of a location, through the Cache API (`caches.default`). That
 * cache is per zone, so any Worker on the zone can write the URL: every entry carries an
 * HMAC-SHA-256 over the URL and body, keyed by the edge secret (src/edge-secret.ts), and one
 * without a valid MAC is ignored.
 */
import { MAX_RESPONSE_BYTES } from '../descope/client.ts'
import { readCapped } from '../lib/capped-read.ts'
import { equalDigests, hmacHex } from '../lib/crypto.ts'

/** A key set as fetched from Descope, with the time of that fetch (epoch milliseconds). */
interface StoredKeySet {
  fetchedAt: number
  keys: unknown[]
}

/** Where isolates share the last key set they fetched. */
export interface SharedKeyCache {
  read(): Promise<StoredKeySet | undefined>
  write(value: StoredKeySet, maxAgeSeconds: number): Promise<void>
}

interface CacheLike {
  match(url: string): Promise<Response | undefined>
  put(url: string, response: Response): Promise<void>
}

/** The header that carries an entry's MAC (hex). */
const MAC_HEADER = 'X-Passkey-Edge-Mac'

/** The synthetic cache key of one JWKS source; `.invalid` so it can never be a real request. */
export function sharedKeyCacheUrl(baseUrl: string, projectId: string): string {
  return `https://jwks.passkey-edge.invalid/v1/${encodeURIComponent(projectId)}?base=${encodeURIComponent(baseUrl)}`
}

/**
 * The Cache API layer, or `undefined` outside workerd (Node, tests of the core). `macKey` gives
 * the HMAC key of the entries (from the edge secret); when it fails, nothing is read or written.
 */
export function cacheApiKeyCache(baseUrl: string, projectId: string, macKey: () => Promise<CryptoKey>): SharedKeyCache | undefined {
  // Typed structurally so this module also compiles for Node, where there is no Cache API.
  const storage = (globalThis as { caches?: { default?: CacheLike } }).caches
  const cache = storage?.default
  if (!cache) return undefined
  const url = sharedKeyCacheUrl(baseUrl, projectId)
  const computeMac = async (key: Promise<CryptoKey>, body: string) => hmacHex(await key, `jwks-cache\n${url}\n${body}`)
  return {
    async read() {
      // A cold isolate reads the edge secret from KV: ask for it while the cache answers, not
      // after (a miss needs it too, to write the set fetched from Descope).
      const key = macKey()
      key.catch(() => undefined)
      const response = await cache.match(url)
      if (!response) return undefined
      // No bigger than a key set Descope could have sent: another Worker could plant megabytes
      // to slow every cold isolate down, MAC or not.
      const bytes = await readCapped(response.body, MAX_RESPONSE_BYTES)
      if (!bytes) return undefined
      const body = new TextDecoder().decode(bytes)
      // Not written by this Worker (planted by another on the zone, or written with an old secret).
      if (!equalDigests(response.headers.get(MAC_HEADER) ?? '', await computeMac(key, body))) return undefined
      const { fetchedAt, keys } = JSON.parse(body) as Record<string, unknown>
      if (typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt) || !Array.isArray(keys)) return undefined
      return { fetchedAt, keys }
    },
    async write(value, maxAgeSeconds) {
      const body = JSON.stringify({ fetchedAt: value.fetchedAt, keys: value.keys })
      const headers = {
        'Content-Type': 'application/json',
        'Cache-Control': `max-age=${Math.max(1, Math.floor(maxAgeSeconds))}`,
        [MAC_HEADER]: await computeMac(macKey(), body),
      }
      await cache.put(url, new Response(body, { headers }))
    },
  }
}
