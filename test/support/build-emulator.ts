/**
 * Vitest global setup: bundles the emulator Worker once, so the workerd tests can run it as an
 * auxiliary Worker (Miniflare takes plain JS modules for those, not TypeScript).
 */
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

export const EMULATOR_BUNDLE = fileURLToPath(new URL('../../.wrangler/test/emulator.js', import.meta.url))

export default async function setup(project: TestProject) {
  await build({
    entryPoints: [fileURLToPath(new URL('../../emulator/src/index.ts', import.meta.url))],
    outfile: EMULATOR_BUNDLE,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
  })
  project.provide('emulatorBundle', EMULATOR_BUNDLE)
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulatorBundle: string
  }
}
