/**
 * @module
 * Vitest global setup of the `node` project: bundles the emulator, serves it over HTTP on a free
 * loopback port with Miniflare (plain workerd, the one wrangler ships; not `wrangler dev`, whose
 * proxy is slow and leaky), provides `emulatorUrl` to the tests and stops it afterwards.
 * State is in memory: every run starts empty. Also packs the package for test/node/package.test.ts
 * (shared with the workers project's setup: one pack per run).
 */
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { bundleEmulator, COMPATIBILITY_DATE, EMULATOR_DURABLE_OBJECTS, loadMiniflare } from '../../scripts/lib/workerd.mjs'
import { packedPackage, type PackedPackage } from './packed-package'

const BUNDLE = fileURLToPath(new URL('../../.wrangler/test/emulator-node.js', import.meta.url))

export default async function setup(project: TestProject) {
  const [packed] = await Promise.all([packedPackage(), bundleEmulator(BUNDLE)])
  project.provide('packedPackage', packed)
  const { Miniflare } = await loadMiniflare()
  const miniflare = new Miniflare({
    modules: true,
    scriptPath: BUNDLE,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: EMULATOR_DURABLE_OBJECTS,
    host: '127.0.0.1',
    port: 0,
  })
  const url = await miniflare.ready
  project.provide('emulatorUrl', url.origin)
  return async () => {
    await miniflare.dispose()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorUrl: string
    packedPackage: PackedPackage
  }
}
