/**
 * @module
 * Cold isolates. `GET /cold?worker=<name>` loads that Worker's bundle into a
 * brand-new isolate (workerd's Worker Loader, `LOADER.load`: nothing cached, nothing shared with
 * an earlier isolate but the Cache API and KV) and sends it its first request, `GET /api/hello`
 * with the token given in `Authorization`. It answers the status and the milliseconds from
 * creating the isolate to the end of that first response: isolate, module evaluation,
 * configuration, first key set (shared cache or fetch), verification.
 *
 * A loaded isolate has no Cache API and cannot be handed a KV binding, so ours gets both through
 * this Worker over RPC (`SharedCache`, `Transactions`): one more hop than production, on our side
 * only; each KV call waits `KV_DELAY_MS` first, as a remote KV read would. Every outbound `fetch`
 * of the loaded isolate goes to the emulator.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'

interface HarnessEnv {
  LOADER: WorkerLoader
  EMULATOR: Fetcher
  KV: KVNamespace
  /** Service bindings to this Worker's own entrypoints below. */
  SHARED_CACHE: Fetcher
  TRANSACTIONS: Fetcher
  /** `{name: {code, flags?, env}}`: each bundle, its compatibility flags and its bindings. */
  BUNDLES: Record<string, { code: string; flags?: string[]; env: Record<string, string> }>
  COMPATIBILITY_DATE: string
  /** What each KV call waits first: an I/O wait, no CPU. */
  KV_DELAY_MS: string
}

const away = (env: HarnessEnv) => new Promise((resolve) => setTimeout(resolve, Number(env.KV_DELAY_MS)))

/** `caches.default` for the loaded isolate: the harness's own, shared by every isolate here. */
export class SharedCache extends WorkerEntrypoint<HarnessEnv> {
  match(url: string): Promise<Response | undefined> {
    return caches.default.match(url)
  }
  put(url: string, response: Response): Promise<void> {
    return caches.default.put(url, response)
  }
}

/** The `TRANSACTIONS` KV namespace for the loaded isolate. */
export class Transactions extends WorkerEntrypoint<HarnessEnv> {
  async get(key: string): Promise<string | null> {
    await away(this.env)
    return this.env.KV.get(key)
  }
  async put(key: string, value: string, options?: KVNamespacePutOptions): Promise<void> {
    await away(this.env)
    return this.env.KV.put(key, value, options)
  }
  async delete(key: string): Promise<void> {
    await away(this.env)
    return this.env.KV.delete(key)
  }
}

/**
 * The loaded isolate's entry: installs the shared cache (when given), then the Worker answers.
 * `GET /__cold/ping` is answered here, without the Worker: it costs the isolate, the compilation
 * and the evaluation of every module (imports are evaluated before this one), and the harness
 * sends it first to split a cold start into "isolate and modules" and "first request".
 * (A loaded isolate's own clock does not move while it computes, so the harness times both.)
 */
const ENTRY = `import worker from './worker.js'
let installed = false
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__cold/ping') return new Response('ok')
    if (!installed && env.SHARED_CACHE) {
      const shared = env.SHARED_CACHE
      const cache = { match: (url) => shared.match(url), put: (url, response) => shared.put(url, response) }
      Object.defineProperty(globalThis, 'caches', { value: { default: cache }, configurable: true, writable: true })
      installed = true
    }
    return worker.fetch(request, env, ctx)
  },
}
`

export default {
  async fetch(request: Request, env: HarnessEnv): Promise<Response> {
    const url = new URL(request.url)
    const name = url.searchParams.get('worker') ?? ''
    const bundle = env.BUNDLES[name]
    if (url.pathname !== '/cold' || !bundle) return Response.json({ error: 'unknown worker' }, { status: 404 })
    const childEnv: Record<string, unknown> = { ...bundle.env }
    if (url.searchParams.has('kv')) childEnv.TRANSACTIONS = env.TRANSACTIONS
    if (url.searchParams.has('cache')) childEnv.SHARED_CACHE = env.SHARED_CACHE
    const project = url.searchParams.get('project')
    if (project) childEnv.DESCOPE_PROJECT_ID = project
    const path = url.searchParams.get('path') ?? '/api/hello'
    const start = performance.now()
    const worker = env.LOADER.load({
      compatibilityDate: env.COMPATIBILITY_DATE,
      compatibilityFlags: bundle.flags ?? [],
      mainModule: 'entry.js',
      modules: { 'entry.js': ENTRY, 'worker.js': bundle.code },
      env: childEnv,
      globalOutbound: env.EMULATOR,
    })
    const entrypoint = worker.getEntrypoint()
    await (await entrypoint.fetch('http://bench.localhost/__cold/ping')).arrayBuffer()
    const evaluated = performance.now()
    const headers = new Headers()
    const authorization = request.headers.get('Authorization')
    if (authorization) headers.set('Authorization', authorization)
    const response = await entrypoint.fetch(new Request(`http://bench.localhost${path}`, { headers }))
    await response.arrayBuffer()
    const end = performance.now()
    // The isolate's work after its answer (`waitUntil`: the shared cache's write) lasts only as
    // long as this request: `settle` keeps it open that long, for a first load that fills the cache.
    const settle = Number(url.searchParams.get('settle') ?? 0)
    if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle))
    return Response.json({ status: response.status, firstMs: end - start, evaluateMs: evaluated - start, requestMs: end - evaluated })
  },
}
