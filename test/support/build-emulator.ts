/**
 * Vitest global setup of the `workers` project: bundles the emulator Worker once, so the workerd
 * tests can run it as an auxiliary Worker (Miniflare takes plain JS modules for those), and the
 * example Worker (examples/worker) against the packed package, as its users would build it.
 */
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { bundleEmulator, bundleWorker, ROOT } from '../../scripts/lib/workerd.mjs'
import { packedPackage } from './packed-package'

export const EMULATOR_BUNDLE = join(ROOT, '.wrangler/test/emulator.js')
export const EXAMPLE_BUNDLE = join(ROOT, '.wrangler/test/example-worker.js')

export default async function setup(project: TestProject) {
  await Promise.all([bundleEmulator(EMULATOR_BUNDLE), packedPackage().then(() => bundleWorker('examples/worker/src/index.ts', EXAMPLE_BUNDLE))])
  project.provide('emulatorBundle', EMULATOR_BUNDLE)
  project.provide('exampleBundle', EXAMPLE_BUNDLE)
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorBundle: string
    exampleBundle: string
  }
}
