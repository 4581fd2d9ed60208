#!/usr/bin/env node
/**
 * @module
 * `node bench/cold-ab.mjs before=<bundle.js> after=<bundle.js>[@/path] … [--samples 60] [--kv-ms 0]`
 *
 * A development aid for the cold-isolate rows (bench/README.md, "Cold isolates"): compares
 * builds of our Worker (e.g. `npx wrangler deploy --dry-run --outdir <dir>` before and after a
 * change) the way those rows measure ours. Each sample loads every bundle, in turn, into a
 * brand-new isolate of the same harness (workers/cold.ts) and sends it its first request
 * (`GET /api/hello` with a valid token, or the path after `@`), with our Worker's bindings and
 * the key set in the shared cache. It prints per bundle the medians of "isolate + modules", the
 * first request, the whole and workerd's CPU. `--kv-ms 20` puts each KV call that far away, as
 * the bench's cold rows do. One run, bundles taking turns: compare within a run, never across
 * runs. 60 isolates each by default: with 20–30, a 1 ms difference can come out anywhere from
 * +0.5 to −1.5 ms. Nothing is written.
 */
import { readFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { emulatorControl } from '../test/support/emulator-control.mjs'
import { bundleWorker } from '../scripts/lib/workerd.mjs'
import { buildEmulator } from './lib/build.mjs'
import { coldHarnessWorker, coldIsolates } from './lib/cold.mjs'
import { EMULATOR_BASE, ORIGIN, projectIdFor, sessionClaims, startStack } from './lib/stack.mjs'

const { values: args, positionals } = parseArgs({
  options: { samples: { type: 'string', default: '60' }, 'kv-ms': { type: 'string', default: '0' } },
  allowPositionals: true,
})
const builds = positionals.map((spec) => {
  const [, name, path, route] = /^([\w-]+)=([^@]+)(?:@(\/.*))?$/.exec(spec) ?? []
  if (!name) throw new Error(`expected name=<bundle.js>[@/path], got ${spec}`)
  return { name, path, route }
})
if (builds.length === 0) throw new Error('no bundles: node bench/cold-ab.mjs before=<bundle.js> after=<bundle.js>')

const log = (...parts) => process.stderr.write(`[cold-ab] ${parts.join(' ')}\n`)
const out = await mkdtemp(join(tmpdir(), 'cold-ab-'))
const [emulatorScript, harness] = await Promise.all([buildEmulator(out), bundleWorker('bench/workers/cold.ts', join(out, 'cold-harness.js'))])
const projectId = projectIdFor('coldab')
const bundles = {}
for (const build of builds) {
  bundles[build.name] = {
    code: await readFile(build.path, 'utf8'),
    env: { DESCOPE_PROJECT_ID: projectId, DESCOPE_BASE_URL: EMULATOR_BASE, ALLOWED_ORIGINS: ORIGIN },
  }
}
const stack = await startStack({ emulatorScript, workers: [coldHarnessWorker(harness, bundles, { kvDelayMs: Number(args['kv-ms']) })] })
try {
  const token = await emulatorControl(projectId, stack.urls.emulator).sign(sessionClaims(projectId, Math.floor(Date.now() / 1000)))
  const variants = builds.map((build) => ({
    id: build.route ? `${build.name} ${build.route}` : build.name,
    worker: build.name,
    token: () => token,
    query: () => ({ kv: '1', cache: '1', ...(build.route && { path: build.route }) }),
  }))
  // One load of the first bundle first, kept open until its write is done, so that the shared
  // cache holds the key set for every sample; each sample fetching instead would be a wrong row.
  const keyFetches = () => emulatorControl(projectId, stack.urls.emulator).count('GET /v2/keys')
  await fetch(`${stack.urls.cold}/cold?worker=${builds[0].name}&kv=1&cache=1&settle=500`, { headers: { Authorization: `Bearer ${token}` } }).then((r) =>
    r.arrayBuffer()
  )
  const fetchedBefore = await keyFetches()
  const results = await coldIsolates({ harness: stack.urls.cold, variants, cpuNs: stack.cpuNs, log, count: Number(args.samples) })
  const fetched = (await keyFetches()) - fetchedBefore
  if (fetched > 0) log(`warning: ${fetched} samples fetched the key set instead of reading the shared cache`)
  for (const [id, figure] of Object.entries(results)) {
    const cpu = figure.cpuMs === undefined ? '–' : figure.cpuMs.toFixed(2)
    process.stdout.write(
      `${id.padEnd(24)} isolate + modules ${figure.evaluateMs.toFixed(1)} ms, first request ${figure.requestMs.toFixed(1)} ms, whole ${figure.ms.toFixed(1)} ms, workerd CPU ${cpu} ms\n`
    )
  }
} finally {
  await stack.dispose()
}
