#!/usr/bin/env node
/**
 * @module
 * `npm run bench [-- --check] [-- --seconds 5 --rounds 3 --connections 16] [-- --only cold,load]`
 *
 * Builds the production Worker and the peer Workers, serves them and the Descope emulator in
 * plain workerd on 127.0.0.1, runs each measured section (bench/sections/), prints a table and
 * writes `bench/results/latest.md` (and every figure to `.wrangler/bench/latest.json`). With
 * `--check`, exits 1 when a target is missed: every target is a ratio, a difference or a count
 * from this same run. See bench/README.md.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { bundleWorker } from '../scripts/lib/workerd.mjs'
import { emulatorControl } from '../test/support/emulator-control.mjs'
import { ROOT, buildEmulator, buildWorkers, clientSize } from './lib/build.mjs'
import { coldBundles } from './lib/cold.mjs'
import { joseInNode } from './lib/node-jose.mjs'
import { streamSigner } from './lib/many-users.mjs'
import { checkTargets, markdown, table, versions } from './lib/report.mjs'
import { EMULATOR_BASE, ORIGIN, sessionClaims, startStack } from './lib/stack.mjs'
import { fetchRetry, log } from './lib/util.mjs'
import { PEERS, PROTECTED, SIGNIN_FLOOR, projectIds, servedWorkers } from './lib/workers.mjs'
import { firstRequests } from './sections/burst.mjs'
import { coldRows } from './sections/cold.mjs'
import { flood } from './sections/flood.mjs'
import { loadRounds } from './sections/load.mjs'
import { signIn } from './sections/signin.mjs'
import { manyUsers } from './sections/users.mjs'
import { verifyCosts } from './sections/verify.mjs'

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    // Development only: serve another emulator bundle (plain JS module Worker).
    'emulator-script': { type: 'string' },
    // Development only: measure some sections (comma-separated: verify, load, flood, users, cold, proxy).
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
})
const args = { ...values, seconds: Number(values.seconds), rounds: Number(values.rounds), connections: Number(values.connections) }
const OUT = join(ROOT, '.wrangler/bench')
const HARD_LIMIT_MS = 9 * 60_000

/** The sections in the order they run, by their `--only` names. */
const SECTIONS = [
  ['verify', verifyCosts],
  ['load', loadRounds],
  ['flood', flood],
  ['users', manyUsers],
  ['cold', coldRows],
  ['proxy', signIn],
]

async function main() {
  const started = Date.now()
  setTimeout(() => {
    log(`gave up after ${HARD_LIMIT_MS / 60_000} minutes`)
    process.exit(2)
  }, HARD_LIMIT_MS).unref()

  await rm(OUT, { recursive: true, force: true })
  await mkdir(OUT, { recursive: true })
  log('building: wrangler deploy --dry-run for each Worker, esbuild for the emulator and the cold-isolate harness')
  const [bundles, emulatorScript, coldHarness] = await Promise.all([
    buildWorkers(OUT, [...PEERS, SIGNIN_FLOOR]),
    args['emulator-script'] ?? buildEmulator(OUT),
    bundleWorker('bench/workers/cold.ts', join(OUT, 'cold-harness.js')),
  ])
  const projects = projectIds()
  const signer = await streamSigner(OUT)
  const coldPeers = PEERS.filter((peer) => peer.name !== 'ours-probe')
  const coldCode = await coldBundles(bundles, coldPeers, { projects, emulatorBase: EMULATOR_BASE, origin: ORIGIN })
  log('starting workerd (Miniflare, 127.0.0.1 only)')
  const stack = await startStack({ emulatorScript, workers: servedWorkers({ bundles, projects, signer, coldHarness, coldCode }) })
  const results = { notes: [] }
  try {
    await measure({ args, stack, urls: stack.urls, projects, signer, out: OUT, coldWorkers: Object.keys(coldCode), results })
  } finally {
    await stack.dispose()
  }

  log('jose in plain Node, one core')
  results.nodeJose = await joseInNode(1000)
  results.bundles = Object.fromEntries(Object.entries(bundles).map(([name, { bytes, gzipBytes, parts }]) => [name, { bytes, gzipBytes, parts }]))
  results.client = await clientSize()
  results.meta = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((load) => Math.round(load * 100) / 100),
    },
    versions: await versions(),
    load: { tool: 'autocannon', connections: args.connections, seconds: args.seconds, rounds: args.rounds },
    runSeconds: Math.round((Date.now() - started) / 1000),
  }
  results.checks = checkTargets(results)

  process.stdout.write(`${table(results)}\n`)
  await writeFile(join(OUT, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  if (!args['no-write']) {
    await writeFile(join(ROOT, 'bench/results/latest.md'), markdown(results))
    log('wrote bench/results/latest.md and .wrangler/bench/latest.json')
  }
  const missed = results.checks.filter((check) => check.pass === false)
  if (args.check && missed.length > 0) {
    log(`--check: ${missed.length} target(s) missed: ${missed.map((check) => check.name).join('; ')}`)
    process.exitCode = 1
  }
}

/** The context every section gets, then the sections `--only` asks for (all by default). */
async function measure(context) {
  const { urls, projects } = context
  const emulator = (projectId) => emulatorControl(projectId, urls.emulator, { fetch: fetchRetry })
  const now = Math.floor(Date.now() / 1000)
  const claims = (projectId, i = 0) => sessionClaims(projectId, now, i)
  const tokens = {}
  for (const name of [...PROTECTED, 'ours-probe']) tokens[name] = await emulator(projects[name]).sign(claims(projects[name]))
  const headersFor = (route, token) =>
    route.token === 'none' ? {} : route.token === 'cookie' ? { Cookie: `__Host-DS=${token}` } : { Authorization: `Bearer ${token}` }
  const urlFor = (route) => `${urls[route.worker]}/api/hello`
  const ctx = { ...context, emulator, claims, tokens, headersFor, urlFor }
  await firstRequests(ctx)
  const only = context.args.only?.split(',')
  for (const [name, section] of SECTIONS) if (!only || only.includes(name)) await section(ctx)
}

main()
  .catch((error) => {
    log(`failed: ${error?.stack ?? error}`)
    process.exitCode = 2
  })
  // Stop by itself even if a socket or timer is left behind.
  .finally(() => setTimeout(() => process.exit(), 100))
