// Building and serving Workers in plain workerd (Miniflare), shared by the test setups, the
// benchmarks and the soak run: one place for the esbuild options, the compatibility date and the
// Miniflare (the one wrangler ships, so dev, tests and deploy run one workerd).
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The production config (wrangler.jsonc), which holds the project's one compatibility date. */
export const WRANGLER_CONFIG = parseJsonc(readFileSync(new URL('wrangler.jsonc', pathToFileURL(ROOT)), 'utf8'))
/** The date every Worker here runs with: the production Worker's, also for the emulator and the bench Workers. */
export const COMPATIBILITY_DATE = WRANGLER_CONFIG.compatibility_date
/** The emulator's Durable Object binding, as in emulator/wrangler.jsonc. */
export const EMULATOR_DURABLE_OBJECTS = { PROJECTS: { className: 'EmulatorProject', useSQLite: true } }

/** Bundles a Worker module (TypeScript allowed) into one ES module for workerd. */
export async function bundleWorker(entry, outfile, options = {}) {
  await build({
    entryPoints: [fileURLToPath(new URL(entry, pathToFileURL(ROOT)))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
    ...options,
  })
  return outfile
}

/** Bundles the local Descope emulator (emulator/src/index.ts). */
export function bundleEmulator(outfile) {
  return bundleWorker('emulator/src/index.ts', outfile)
}

/**
 * Miniflare as resolved from wrangler (its workerd is the one `wrangler dev` and the test pool
 * run). Callers pass options in Miniflare's documented per-Worker shape (`modules`, `scriptPath`,
 * `bindings`…); Miniflare 5 takes another shape and converts that one with
 * `convertV4MiniflareOptions`, which this `Miniflare` does for them.
 */
export async function loadMiniflare() {
  const fromHere = createRequire(import.meta.url)
  const fromWrangler = createRequire(fromHere.resolve('wrangler'))
  const miniflare = await import(pathToFileURL(fromWrangler.resolve('miniflare')).href)
  class Miniflare extends miniflare.Miniflare {
    constructor(options) {
      super(miniflare.convertV4MiniflareOptions(options))
    }
  }
  return { Miniflare, Log: miniflare.Log, LogLevel: miniflare.LogLevel }
}

/** The Node running this, and the wrangler, Miniflare and workerd that every Worker here runs on. */
export function toolchainVersions() {
  const fromHere = createRequire(import.meta.url)
  const fromWrangler = createRequire(fromHere.resolve('wrangler'))
  const fromMiniflare = createRequire(fromWrangler.resolve('miniflare'))
  return {
    node: process.versions.node,
    wrangler: fromHere('wrangler/package.json').version,
    miniflare: fromWrangler('miniflare/package.json').version,
    workerd: fromMiniflare('workerd/package.json').version,
  }
}

/**
 * JSON with comments and trailing commas, as wrangler reads `wrangler.jsonc`. Strings are matched
 * first and kept whole, so a `//` inside one (a URL) stays.
 */
export function parseJsonc(text) {
  const dropOutsideStrings = (source, pattern) => source.replace(pattern, (match) => (match[0] === '"' ? match : ''))
  const withoutComments = dropOutsideStrings(text, /"(?:[^"\\]|\\.)*"|\/\/[^\n]*|\/\*[\s\S]*?\*\//g)
  return JSON.parse(dropOutsideStrings(withoutComments, /"(?:[^"\\]|\\.)*"|,(?=\s*[}\]])/g))
}
