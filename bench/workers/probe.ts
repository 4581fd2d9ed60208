/**
 * @module
 * The bench probe every bench Worker wraps itself in: `GET /__bench/verify?n=N` times, inside the
 * isolate, N requests to the protected route and N to an open one through the Worker's own
 * handler, and answers the difference per request — the cost of the session check alone.
 * `GET` reuses the probe request's own `Authorization` (or `Cookie`) header N times, as a client
 * with one session does; `POST {tokens, cookie?}` sends a different token each time (fresh
 * verifications, no cache can help), in the `Authorization` header or in the cookie named `cookie`.
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
      let i = 0
      const headersFor = (): Headers => {
        if (!tokens) return reused
        const token = tokens.list[i++ % tokens.list.length] as string
        return new Headers(tokens.cookie ? { Cookie: `${tokens.cookie}=${token}` } : { Authorization: `Bearer ${token}` })
      }
      const call = (path: string, withToken: boolean) =>
        worker.fetch(new Request(new URL(path, url), { headers: withToken ? headersFor() : undefined }), env, ctx)
      // One warm-up call each: keys fetched, config parsed, code paths compiled.
      const first = await call(protectedPath, true)
      if (first.status !== 200) return Response.json({ error: `protected route answered ${first.status}` }, { status: 500 })
      await call(options.openPath, false)
      const open = await time(n, () => call(options.openPath, false))
      const secured = await time(n, () => call(protectedPath, true))
      return Response.json({ n, openMs: open, protectedMs: secured, usPerVerification: ((secured - open) * 1000) / n })
    },
  }
}

async function readTokens(request: Request): Promise<{ list: string[]; cookie?: string }> {
  const body = (await request.json()) as unknown
  if (typeof body !== 'object' || body === null) return { list: [] }
  const { tokens, cookie } = body as { tokens?: unknown; cookie?: unknown }
  const list = Array.isArray(tokens) ? tokens.filter((token): token is string => typeof token === 'string') : []
  return { list, cookie: typeof cookie === 'string' ? cookie : undefined }
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
