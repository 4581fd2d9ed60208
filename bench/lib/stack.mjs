/**
 * @module
 * Serves the bundles in plain workerd through the Miniflare that wrangler ships (never
 * `wrangler dev`: its proxy caps throughput and leaks sockets). Every Worker gets a direct socket
 * on 127.0.0.1 (no Miniflare entry Worker in the path), and every outbound `fetch` of a Worker
 * goes in-process to the emulator, so no request ever leaves loopback.
 */
import { readFile, readdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { EMULATOR_DURABLE_OBJECTS, loadMiniflare } from '../../scripts/lib/workerd.mjs'
import { COMPATIBILITY_DATE } from './build.mjs'

/** Base URL the Workers use for Descope: a `.localhost` host, routed to the emulator Worker. */
export const EMULATOR_BASE = 'http://emulator.localhost'
export const ORIGIN = 'https://app.example.com'

/**
 * Network distances this loopback stack stands in for (bench/README.md says why these): each KV
 * call of the sign-in row's second run and of the cold harness, and each JWKS fetch of a cold
 * isolate, waits this long first (an I/O wait, no CPU).
 */
export const REMOTE_KV_MS = 20
export const JWKS_DELAY_MS = 40

/** The claims of a valid session token of a bench user (`i`: which user) of a project. */
export const sessionClaims = (projectId, now, i = 0) => ({
  sub: `U2bench${i}`,
  iss: projectId,
  iat: now,
  exp: now + 3600,
  drn: 'DS',
  amr: ['webauthn'],
  roles: [],
  permissions: [],
  tenants: {},
  ...(i ? { jti: `bench-${i}` } : {}),
})

/** A well-formed, per-Worker project ID, so that emulator counters are kept apart. */
export const projectIdFor = (name) => `P2bench${name.replace(/[^A-Za-z0-9]/g, '')}`.padEnd(28, '0').slice(0, 28)

/** The emulator with its Durable Object binding (emulator/wrangler.jsonc), storage in memory. */
function emulatorOptions(scriptPath) {
  return {
    name: 'emulator',
    modules: true,
    scriptPath,
    // Module names are relative to this root; outside it workerd refuses to start.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: EMULATOR_DURABLE_OBJECTS,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  }
}

/**
 * Starts workerd with the emulator and the given Workers.
 * @param {{emulatorScript: string, workers: Array<{name: string, scriptPath: string, flags?: string[], bindings?: object, kv?: string[], extra?: object}>}} spec
 * @returns {Promise<{urls: Record<string, string>, cpuNs: () => Promise<number | undefined>, dispose: () => Promise<void>}>}
 */
export async function startStack({ emulatorScript, workers }) {
  const { Miniflare, Log, LogLevel } = await loadMiniflare()
  let runtimeErrors = ''
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    log: new Log(LogLevel.WARN),
    // What the Workers log (a Worker's console.error) would garble the table.
    // A failed start is explained by the last lines logged, so those are kept.
    handleStructuredLogs({ level, message }) {
      runtimeErrors = `${runtimeErrors}${level}: ${message}\n`.slice(-4000)
      if (process.env.BENCH_DEBUG) process.stderr.write(`${level}: ${message}\n`)
    },
    // No look-up of Cloudflare's `cf` object: loopback only.
    cf: false,
    workers: [
      emulatorOptions(emulatorScript),
      ...workers.map((worker) => ({
        name: worker.name,
        modules: true,
        scriptPath: worker.scriptPath,
        modulesRoot: dirname(worker.scriptPath),
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: worker.flags ?? [],
        bindings: worker.bindings ?? {},
        kvNamespaces: worker.kv ?? [],
        outboundService: 'emulator',
        unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
        // Anything else a bench-only Worker needs (the cold-isolate harness: a loader, services).
        ...worker.extra,
      })),
    ],
  })
  try {
    await mf.ready
  } catch (error) {
    await mf.dispose().catch(() => {})
    throw new Error(`workerd did not start: ${error.message}\n${runtimeErrors}`)
  }
  const urls = {}
  for (const name of ['emulator', ...workers.map((worker) => worker.name)]) {
    urls[name] = (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, '')
  }
  const pid = await workerdPid()
  return { urls, cpuNs: () => cpuNsOf(pid), dispose: () => mf.dispose() }
}

/** The workerd process Miniflare spawned (a child of this process), on Linux. */
async function workerdPid() {
  try {
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? []
      if (comm === 'workerd' && Number(rest?.split(' ')[1]) === process.pid) return Number(entry)
    }
  } catch {}
  return undefined
}

/** CPU time of all threads of a process in ns (schedstat: finer than the 10 ms ticks of stat). */
async function cpuNsOf(pid) {
  if (pid === undefined) return undefined
  let total = 0
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const line = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => undefined)
    if (line) total += Number(line.split(' ')[0])
  }
  return total
}
