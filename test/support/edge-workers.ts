/**
 * @module
 * Miniflare Worker options for Node tests that run the real Worker in plain workerd, behind a
 * socket: the edge (as many instances as a test wants, one KV namespace for all, as for every
 * isolate of one deploy) and the emulator as its Descope. Bundles go to the test's own directory.
 */
import { join } from 'node:path'
import { bundleEmulator, bundleWorker, COMPATIBILITY_DATE, EMULATOR_DURABLE_OBJECTS } from '../../scripts/lib/workerd.mjs'

/** Where the edge finds the emulator (its outbound service). */
export const EMULATOR_HOST_URL = 'http://emulator.localhost'

/** Bundles the Worker and the emulator into `dir`: `edge(name, …)` and `emulator(…)` then make their Miniflare options. */
export async function edgeWorkers(dir: string, { projectId, origin }: { projectId: string; origin: string }) {
  const [worker, emulator] = await Promise.all([bundleWorker('src/index.ts', join(dir, 'worker.js')), bundleEmulator(join(dir, 'emulator.js'))])
  return {
    edge: (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      modules: true,
      scriptPath: worker,
      modulesRoot: dir,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { DESCOPE_PROJECT_ID: projectId, DESCOPE_BASE_URL: EMULATOR_HOST_URL, ALLOWED_ORIGINS: origin },
      kvNamespaces: { TRANSACTIONS: 'transactions' },
      outboundService: 'emulator',
      ...extra,
    }),
    emulator: (bindings: Record<string, string> = {}) => ({
      name: 'emulator',
      modules: true,
      scriptPath: emulator,
      modulesRoot: dir,
      compatibilityDate: COMPATIBILITY_DATE,
      durableObjects: EMULATOR_DURABLE_OBJECTS,
      bindings,
    }),
  }
}
