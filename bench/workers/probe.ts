/**
 * @module
 * The bench probe every bench Worker wraps itself in: `GET /__bench/verify?n=N` times, inside the
 * isolate, N requests to the protected route and N to an open one through the Worker's own
 * handler, and answers the difference per request — the cost of the session check alone.
 * `GET` reuses the probe request's own `Authorization` (or `Cookie`) header N times, as a client
 * with one session does; `POST {tokens, cookie?}` sends a different token each time (fresh
 * verifications, no cache can help), in the `Authorization` header or in the cookie named `cookie`.
 * `POST {tokens, order, offset}` sends `tokens[order[offset]]`, `tokens[order[offset + 1]]`, …:
 * a stream of many users (bench/lib/zipf.mjs), continued where the last call stopped.
 * Only ever served on loopback by `npm run bench`.
 */

/** A module Worker's fetch handler, as Hono apps and `export default {fetch}` objects have it. */
export interface FetchHandler<E> {
  fetch(request: Request, env: E, ctx: ExecutionContext): Response | Promise<Response>
}

export interface ProbeOptions {
  /** The route that needs a session (default `/api/hello`). */
  protectedPath?: string
  /** A route of the same Worker that needs none, to subtract routing and response costs. */
  openPath: string
}

/** Requests per block of each route: big enough to time, small enough to interleave. */
const BLOCK = 250

/** Wraps `worker` so that `/__bench/verify` is answered by the probe and the rest by `worker`. */
export function withProbe<E>(worker: FetchHandler<E>, options: ProbeOptions): FetchHandler<E> {
  const protectedPath = options.protectedPath ?? '/api/hello'
  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url)
      if (url.pathname !== '/__bench/verify') return worker.fetch(request, env, ctx)
      const n = Math.min(Math.max(Number(url.searchParams.get('n')) || 1000, 1), 20_000)
      const tokens = request.method === 'POST' ? await readTokens(request) : undefined
      if (tokens?.list.length === 0) return Response.json({ error: 'no tokens' }, { status: 400 })
      const reused = new Headers()
      for (const name of ['authorization', 'cookie']) {
        const value = request.headers.get(name)
        if (value) reused.set(name, value)
      }
      let i = tokens?.offset ?? 0
      const headersFor = (): Headers => {
        if (!tokens) return reused
        const at = i++
        const token = tokens.list[tokens.order ? (tokens.order[at % tokens.order.length] as number) : at % tokens.list.length] as string
        return new Headers(tokens.cookie ? { Cookie: `${tokens.cookie}=${token}` } : { Authorization: `Bearer ${token}` })
      }
      const call = (path: string, withToken: boolean) =>
        worker.fetch(new Request(new URL(path, url), { headers: withToken ? headersFor() : undefined }), env, ctx)
      // One warm-up call each: keys fetched, config parsed, code paths compiled.
      const first = await call(protectedPath, true)
      if (first.status !== 200) return Response.json({ error: `protected route answered ${first.status}` }, { status: 500 })
      await call(options.openPath, false)
      // Alternating blocks of both routes, so that a garbage collection (the probe's own request
      // body is large for a stream of many users) falls on both alike.
      let open = 0
      let secured = 0
      for (let done = 0; done < n; done += BLOCK) {
        const size = Math.min(BLOCK, n - done)
        open += await time(size, () => call(options.openPath, false))
        secured += await time(size, () => call(protectedPath, true))
      }
      return Response.json({ n, openMs: open, protectedMs: secured, usPerVerification: ((secured - open) * 1000) / n })
    },
  }
}

interface Tokens {
  list: string[]
  cookie?: string
  /** Indexes into `list`, in request order (many users); absent: `list` in turn. */
  order?: number[]
  offset?: number
}

async function readTokens(request: Request): Promise<Tokens> {
  const body = (await request.json()) as unknown
  if (typeof body !== 'object' || body === null) return { list: [] }
  const { tokens, cookie, order, offset } = body as { tokens?: unknown; cookie?: unknown; order?: unknown; offset?: unknown }
  const list = Array.isArray(tokens) ? tokens.filter((token): token is string => typeof token === 'string') : []
  const indexes = Array.isArray(order) && order.every((at) => Number.isInteger(at) && at >= 0 && at < list.length) ? (order as number[]) : undefined
  return { list, cookie: typeof cookie === 'string' ? cookie : undefined, order: indexes, offset: Number.isInteger(offset) ? (offset as number) : 0 }
}

// workerd's clock only moves across I/O in production; locally (Miniflare) it advances with CPU
// time, which is what makes in-isolate timing possible here.
async function time(n: number, task: () => Response | Promise<Response>): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < n; i++) {
    const response = await task()
    await response.arrayBuffer()
  }
  return performance.now() - start
}
