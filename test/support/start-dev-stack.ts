/**
 * @module
 * Vitest global setup of the `e2e` project: starts the real dev stack (`node scripts/dev.mjs`:
 * `wrangler dev` for the Worker and the page, and the Descope emulator) on free ports, waits until
 * both answer, provides `baseUrl` to the browser tests and stops the whole process tree afterwards.
 *
 * When Chromium is missing the stack is not started at all (the browser tests skip locally and
 * fail under CI), so a run without a browser stays fast and leaves nothing behind.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { CHROMIUM_PATH } from '../../scripts/lib/chromium.mjs'

export { CHROMIUM_PATH }

/** Its own emulator project, so browser runs never mix with the users of `npm run dev`. */
const E2E_PROJECT_ID = 'P2passkeyedgee2e000000000000'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const START_TIMEOUT_MS = 90_000
/** The dev stack's output, for tests that check what workerd logged (e.g. no uncaught errors). */
const LOG_FILE = fileURLToPath(new URL('../../.wrangler/test/dev-stack.log', import.meta.url))

export default async function setup(project: TestProject) {
  project.provide('chromiumPath', existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : '')
  // Without a browser there is nothing to serve: the tests skip (locally) or fail (CI) on their own.
  if (!existsSync(CHROMIUM_PATH)) {
    project.provide('baseUrl', '')
    project.provide('emulatorUrl', '')
    project.provide('e2eProjectId', E2E_PROJECT_ID)
    project.provide('devStackLog', '')
    return
  }

  const port = await freePort()
  const emulatorPort = await freePort(port)
  const baseUrl = `http://localhost:${port}`
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`
  const log: string[] = []
  const child = spawn(process.execPath, ['scripts/dev.mjs'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      DESCOPE_PROJECT_ID: E2E_PROJECT_ID,
      WRANGLER_SEND_METRICS: 'false',
    },
    // Its own process group, so teardown can signal the tree without touching vitest.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  mkdirSync(new URL('../../.wrangler/test/', import.meta.url), { recursive: true })
  writeFileSync(LOG_FILE, '')
  const keep = (chunk: Buffer) => {
    appendFileSync(LOG_FILE, chunk)
    log.push(chunk.toString())
    if (log.length > 200) log.shift()
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  try {
    await Promise.race([
      Promise.all([waitForOk(`${baseUrl}/healthz`), waitForOk(`${emulatorUrl}/v2/keys/${E2E_PROJECT_ID}`)]),
      exited.then((code) => {
        throw new Error(`scripts/dev.mjs exited (${code}) before the stack was up`)
      }),
    ])
  } catch (error) {
    await stop(child, exited)
    throw new Error(`The dev stack did not start: ${(error as Error).message}\n--- dev.mjs output ---\n${log.join('')}`)
  }

  project.provide('baseUrl', baseUrl)
  project.provide('emulatorUrl', emulatorUrl)
  project.provide('e2eProjectId', E2E_PROJECT_ID)
  project.provide('devStackLog', LOG_FILE)
  return async () => {
    await stop(child, exited)
  }
}

/** SIGTERM to the group (dev.mjs then stops both wrangler trees), SIGKILL if it lingers. */
async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  signalGroup(child.pid, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

async function waitForOk(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      await response.body?.cancel()
      if (response.status === 200) return
      last = `HTTP ${response.status}`
    } catch (error) {
      last = (error as Error).name
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`${url} did not answer 200 within ${START_TIMEOUT_MS / 1000} s (last: ${last})`)
}

/** A port the OS just handed out on loopback; `not` avoids handing the same one out twice. */
async function freePort(not?: number): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const address = server.address()
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
      })
    })
    if (port !== 0 && port !== not) return port
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The page and API, e.g. `http://localhost:41234` (empty when the browser tests skip). */
    baseUrl: string
    /** The emulator the Worker talks to (empty when the browser tests skip). */
    emulatorUrl: string
    /** The emulator project the dev stack uses (for its test-control API). */
    e2eProjectId: string
    /** A file with everything the dev stack printed so far (empty when the browser tests skip). */
    devStackLog: string
    /** Chromium's executable, or empty when it is missing. */
    chromiumPath: string
  }
}
