/**
 * @module
 * Vitest global setup of the `node` project: bundles the emulator, serves it over HTTP on a free
 * loopback port with Miniflare (plain workerd, the one wrangler ships; not `wrangler dev`, whose
 * proxy is slow and leaky), provides `emulatorUrl` to the tests and stops it afterwards.
 * State is in memory: every run starts empty.
 */
import { build } from 'esbuild'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TestProject } from 'vitest/node'

const BUNDLE = fileURLToPath(new URL('../../.wrangler/test/emulator-node.js', import.meta.url))

export default async function setup(project: TestProject) {
  await build({
    entryPoints: [fileURLToPath(new URL('../../emulator/src/index.ts', import.meta.url))],
    outfile: BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
  })
  const { Miniflare } = await loadMiniflare()
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: BUNDLE,
    compatibilityDate: '2026-04-01',
    durableObjects: { PROJECTS: { className: 'EmulatorProject', useSQLite: true } },
    host: '127.0.0.1',
    port: 0,
  })
  const url = await miniflare.ready
  project.provide('emulatorUrl', url.origin)
  return async () => {
    await miniflare.dispose()
  }
}

/** The slice of Miniflare 4's API used here (the hoisted `miniflare` package is a newer major with another API). */
interface MiniflareModule {
  Miniflare: new (options: Record<string, unknown>) => { ready: Promise<URL>; dispose(): Promise<void> }
}

/** Miniflare as resolved from wrangler (its workerd accepts our compatibility date). */
async function loadMiniflare(): Promise<MiniflareModule> {
  const fromHere = createRequire(import.meta.url)
  const fromWrangler = createRequire(fromHere.resolve('wrangler'))
  return import(pathToFileURL(fromWrangler.resolve('miniflare')).href) as Promise<MiniflareModule>
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrl: string
  }
}
