// Building and serving Workers in plain workerd (Miniflare), shared by the test setups, the
// benchmarks and the soak run: one place for the esbuild options and for finding the Miniflare
// whose workerd accepts our compatibility date.
import { build } from 'esbuild'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const COMPATIBILITY_DATE = '2026-04-01'
/** The emulator's Durable Object binding, as in emulator/wrangler.toml. */
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
 * Miniflare as resolved from wrangler: its workerd accepts our compatibility date (the hoisted
 * `miniflare` package is a newer major with another API).
 */
export async function loadMiniflare() {
  const fromHere = createRequire(import.meta.url)
  const fromWrangler = createRequire(fromHere.resolve('wrangler'))
  return import(pathToFileURL(fromWrangler.resolve('miniflare')).href)
}
