/**
 * Vitest global setup of the `workers` project: bundles the emulator Worker once, so the workerd
 * tests can run it as an auxiliary Worker (Miniflare takes plain JS modules for those).
 */
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { bundleEmulator, ROOT } from '../../scripts/lib/workerd.mjs'

export const EMULATOR_BUNDLE = join(ROOT, '.wrangler/test/emulator.js')

export default async function setup(project: TestProject) {
  await bundleEmulator(EMULATOR_BUNDLE)
  project.provide('emulatorBundle', EMULATOR_BUNDLE)
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorBundle: string
  }
}
