/**
 * The production bundle, as `wrangler deploy --dry-run` builds it: small (cold starts), without
 * nodejs_compat, and with no emulator or test code in it.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The budget: a Worker that starts fast everywhere, with room for the few routes a user adds
 * (issue 6's 25 KiB, 26 KiB since request IDs, metrics and readiness, 30 KiB since issue 26).
 */
const BUDGET_GZIP_BYTES = 30 * 1024

let outdir: string
let output: string
let code: string
let sources: string[]

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'passkey-edge-bundle-'))
  const wrangler = new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname
  const result = await promisify(execFile)(process.execPath, [wrangler, 'deploy', '--dry-run', '--env=', '--outdir', outdir], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  output = result.stdout + result.stderr
  code = await readFile(join(outdir, 'index.js'), 'utf8')
  sources = JSON.parse(await readFile(join(outdir, 'index.js.map'), 'utf8')).sources
}, 60_000)

afterAll(() => rm(outdir, { recursive: true, force: true }))

describe('wrangler deploy --dry-run', () => {
  it('should build the Worker', () => {
    expect(output).toContain('--dry-run: exiting now.')
    expect(code.length).toBeGreaterThan(1000)
  })

  it(`should stay within ${BUDGET_GZIP_BYTES / 1024} KiB gzip`, () => {
    const size = gzipSync(code).byteLength
    console.log(`Worker bundle: ${code.length} bytes, ${(size / 1024).toFixed(2)} KiB gzip`)
    expect(size).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
  })

  it('should contain no emulator, test or WebAuthn-verification code', () => {
    const foreign = sources.filter((source) => /emulator\/|test\/|@simplewebauthn|tiny-cbor|@descope\//.test(source))
    expect(foreign).toEqual([])
    expect(sources.some((source) => source.includes('src/index.ts'))).toBe(true)
  })

  it('should upload its source map, so production stack traces point into src/', async () => {
    const config = await readFile(new URL('../../wrangler.jsonc', import.meta.url), 'utf8')
    expect(config).toMatch(/^\s*"upload_source_maps": true,/m)
    expect(sources.filter((source) => /src\/telemetry\//.test(source)).length).toBeGreaterThan(0)
  })

  it('should not need nodejs_compat', async () => {
    const config = await readFile(new URL('../../wrangler.jsonc', import.meta.url), 'utf8')
    expect(config).not.toMatch(/nodejs_compat/)
    expect(code).not.toMatch(/from\s*["']node:/)
  })
})
