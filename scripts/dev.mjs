#!/usr/bin/env node
// `npm run dev`: the whole product on this machine — the local Descope emulator on
// http://127.0.0.1:8788 and the Worker (API + page) on http://localhost:8787, pointed at it.
// Ports come from PORT and EMULATOR_PORT. The emulator URL and the dev project are passed with
// --var, so the production wrangler.jsonc never names the emulator. Ctrl-C stops both.
// `--emulator-only` (`npm run emulator`) starts the emulator alone.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { COMPATIBILITY_DATE } from './lib/workerd.mjs'

const port = Number(process.env.PORT ?? 8787)
const emulatorPort = Number(process.env.EMULATOR_PORT ?? 8788)
// Any well-formed project ID works with the emulator; a fixed one keeps users across restarts.
const projectId = process.env.DESCOPE_PROJECT_ID ?? 'P2passkeyedgelocaldev0000000'
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`
const pageUrl = `http://localhost:${port}`

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
const common = ['--show-interactive-dev-session=false', '--log-level', process.env.WRANGLER_LOG ?? 'warn']
const children = []
const emulatorOnly = process.argv.includes('--emulator-only')

function start(name, args) {
  const child = spawn(process.execPath, [new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname, 'dev', ...args, ...common], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[dev] ${name} exited (${signal ?? code}); stopping.`)
      stop(1)
    }
  })
  children.push(child)
}

let stopping = false
function stop(code = 0) {
  stopping = true
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {}
  }
  setTimeout(() => process.exit(code), 300).unref()
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

async function waitFor(url, what) {
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {}
    await sleep(250)
  }
  console.error(`[dev] ${what} did not start at ${url}`)
  stop(1)
}

// The emulator's config has no date of its own: it runs on the production Worker's.
start('emulator', [
  '--config',
  'emulator/wrangler.jsonc',
  '--compatibility-date',
  COMPATIBILITY_DATE,
  '--ip',
  '127.0.0.1',
  '--port',
  String(emulatorPort),
  '--inspector-port',
  '0',
])
if (!emulatorOnly)
  start('worker', [
    '--config',
    'wrangler.jsonc',
    '--ip',
    'localhost',
    '--port',
    String(port),
    '--inspector-port',
    '0',
    '--var',
    `DESCOPE_PROJECT_ID:${projectId}`,
    '--var',
    `DESCOPE_BASE_URL:${emulatorUrl}`,
    '--var',
    `ALLOWED_ORIGINS:${pageUrl}`,
    // Recovery on, so it can be tried: the emulator "sends" the email to its outbox.
    '--var',
    'RECOVERY:email-link',
  ])

await waitFor(`${emulatorUrl}/v2/keys/${projectId}`, 'the emulator')
if (emulatorOnly) {
  console.log(`\n[dev] Descope emulator is up: ${emulatorUrl}\n`)
} else {
  await waitFor(`${pageUrl}/healthz`, 'the Worker')
  console.log(`\n[dev] passkey-edge is up: ${pageUrl}  (Descope emulator: ${emulatorUrl}, project ${projectId})`)
  console.log(`[dev] recovery emails (links) land in the emulator's outbox: ${emulatorUrl}/emulator/${projectId}/outbox\n`)
}
