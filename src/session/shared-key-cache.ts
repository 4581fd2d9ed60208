/**
 * @module
 * The JWKS shared by all isolates of a location, through the Cache API (`caches.default`).
 * Only this module writes the entry, under a synthetic URL that no request can reach, so what
 * it reads back is what an isolate of this Worker fetched from Descope's JWKS endpoint.
 */
import { isRecord } from '../lib/is-record'

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

/** The synthetic cache key of one JWKS source; `.invalid` so it can never be a real request. */
export function sharedKeyCacheUrl(baseUrl: string, projectId: string): string {
  return `https://jwks.passkey-edge.invalid/v1/${encodeURIComponent(projectId)}?base=${encodeURIComponent(baseUrl)}`
}

/** The Cache API layer, or `undefined` outside workerd (Node, tests of the core). */
export function cacheApiKeyCache(baseUrl: string, projectId: string): SharedKeyCache | undefined {
  // Typed structurally so this module also compiles for Node, where there is no Cache API.
  const storage = (globalThis as { caches?: { default?: CacheLike } }).caches
  const cache = storage?.default
  if (!cache) return undefined
  const url = sharedKeyCacheUrl(baseUrl, projectId)
  return {
    async read() {
      const response = await cache.match(url)
      if (!response) return undefined
      let data: unknown
      try {
        data = await response.json()
      } catch {
        return undefined
      }
      if (!isRecord(data)) return undefined
      const { fetchedAt, keys } = data
      if (typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt) || !Array.isArray(keys)) return undefined
      return { fetchedAt, keys }
    },
    async write(value, maxAgeSeconds) {
      const body = JSON.stringify({ fetchedAt: value.fetchedAt, keys: value.keys })
      const headers = { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${Math.max(1, Math.floor(maxAgeSeconds))}` }
      await cache.put(url, new Response(body, { headers }))
    },
  }
}
