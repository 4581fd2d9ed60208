/**
 * @module
 * Cold isolates: for each Worker, `SAMPLES` brand-new isolates, each timed from its creation to
 * the end of its first response (bench/workers/cold.ts), split into the isolate with its modules
 * evaluated (a ping the harness's entry answers) and the first request proper, with the CPU that
 * workerd spent meanwhile (all its threads, from /proc; the emulator's share included). The
 * Workers take turns, so a busy moment of the machine spreads over all of them.
 */
import { readFile } from 'node:fs/promises'
import { COMPATIBILITY_DATE } from './build.mjs'
import { median } from './util.mjs'

export const SAMPLES = 40

/**
 * The harness Worker (workers/cold.ts) as `startStack` serves it, named `cold`: the bundles it
 * loads (`BUNDLES`, from `coldBundles`), its Worker Loader, the emulator, and its own entrypoints
 * that lend a loaded isolate the Cache API and a KV namespace (each KV call `kvDelayMs` away).
 */
export function coldHarnessWorker(scriptPath, bundles, { kvDelayMs = 0 } = {}) {
  return {
    name: 'cold',
    scriptPath,
    bindings: { COMPATIBILITY_DATE, BUNDLES: bundles, KV_DELAY_MS: String(kvDelayMs) },
    extra: {
      workerLoaders: { LOADER: {} },
      serviceBindings: {
        EMULATOR: 'emulator',
        SHARED_CACHE: { name: 'cold', entrypoint: 'SharedCache' },
        TRANSACTIONS: { name: 'cold', entrypoint: 'Transactions' },
      },
      kvNamespaces: { KV: 'COLD_TRANSACTIONS' },
    },
  }
}

/** The bundles and bindings the harness loads, as its `BUNDLES` JSON binding. */
export async function coldBundles(bundles, peers, { projects, emulatorBase, origin }) {
  const out = {}
  for (const peer of peers) {
    out[peer.name] = {
      code: await readFile(bundles[peer.name].scriptPath, 'utf8'),
      flags: peer.flags ?? [],
      env: { PROJECT_ID: projects[peer.name], DESCOPE_BASE_URL: emulatorBase },
    }
  }
  // The two hops reference reads ours' entry (src/keys/shared-key-cache.ts, `sharedKeyCacheUrl`).
  if (out['open-hops']) {
    out['open-hops'].env.CACHED_URL = `https://jwks.passkey-edge.invalid/v1/${encodeURIComponent(projects.cold)}?base=${encodeURIComponent(emulatorBase)}`
  }
  out.ours = {
    code: await readFile(bundles.ours.scriptPath, 'utf8'),
    env: { DESCOPE_PROJECT_ID: projects.cold, DESCOPE_BASE_URL: emulatorBase, ALLOWED_ORIGINS: origin },
  }
  const parsedOnly = out.open && neverRun(out.ours.code, out.open.code)
  if (parsedOnly) out['ours-parsed'] = { code: parsedOnly, env: out.open.env }
  return out
}

/**
 * A reference module (bench/README.md, "Cold isolates"): the open route's bundle, with our
 * bundle's code added inside a function that is never called. Loading it costs what the open
 * route does plus the parsing of our source and nothing of its evaluation, which tells the two
 * apart. `undefined` when our bundle's shape (one `cloudflare:workers` import, one trailing
 * `export {…}`) is not what this expects.
 */
function neverRun(code, openCode) {
  const body = code
    .replace(/import\s*\{\s*WorkerEntrypoint\s+as\s+([\w$]+)\s*\}\s*from\s*"cloudflare:workers";?/, 'const $1 = class {};')
    .replace(/export\s*\{[^}]*\};?\s*(\/\/# sourceMappingURL=.*)?\s*$/, '')
  if (body === code || /\bimport\s*\{|^\s*export\b/m.test(body)) return undefined
  return `${openCode}\nfunction neverCalled() {\n${body}\n}\n`
}

/**
 * Runs the cold samples: `count` new isolates per variant (default `SAMPLES`). `variants`:
 * `{id, worker, token(i), query?(i)}`; answers per variant the median first-request ms and
 * workerd CPU ms, and every sample.
 */
export async function coldIsolates({ harness, variants, cpuNs, log, count = SAMPLES }) {
  const samples = Object.fromEntries(variants.map((variant) => [variant.id, []]))
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(i + k) % variants.length]
      const query = new URLSearchParams({ worker: variant.worker, ...variant.query?.(i) })
      const before = await cpuNs()
      const response = await fetch(`${harness}/cold?${query}`, { headers: { Authorization: `Bearer ${await variant.token(i)}` } })
      const body = await response.json()
      const after = await cpuNs()
      if (response.status !== 200 || body.status !== 200) throw new Error(`cold ${variant.id}: ${response.status} ${JSON.stringify(body)}`)
      samples[variant.id].push({
        ms: body.firstMs,
        evaluateMs: body.evaluateMs,
        requestMs: body.requestMs,
        cpuMs: before === undefined ? undefined : (after - before) / 1e6,
      })
    }
    if (i === 0 || (i + 1) % 5 === 0) log(`  cold isolates: ${i + 1}/${count} of each`)
  }
  const results = {}
  for (const variant of variants) {
    const list = samples[variant.id]
    results[variant.id] = {
      label: variant.label,
      verifies: variant.verifies,
      reference: variant.reference === true,
      ours: variant.ours === true,
      ms: median(list.map((sample) => sample.ms)),
      evaluateMs: median(list.map((sample) => sample.evaluateMs)),
      requestMs: median(list.map((sample) => sample.requestMs)),
      cpuMs: list[0].cpuMs === undefined ? undefined : median(list.map((sample) => sample.cpuMs)),
      samples: list.map((sample) => ({
        ms: Math.round(sample.ms * 10) / 10,
        evaluateMs: Math.round(sample.evaluateMs * 10) / 10,
        cpuMs: sample.cpuMs === undefined ? undefined : Math.round(sample.cpuMs * 10) / 10,
      })),
    }
  }
  return results
}
