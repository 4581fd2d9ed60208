/**
 * The first deploy (README, "Deploy"): `wrangler deploy --dry-run` builds every environment of
 * wrangler.jsonc and the example Worker's config; production is only on the site's host; no
 * placeholder KV id; and `npm run deploy` refuses the placeholders this repository ships with.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployProblems, deploymentOf } from '../../scripts/lib/deploy-config.mjs'
import { parseJsonc, ROOT } from '../../scripts/lib/workerd.mjs'

const run = promisify(execFile)
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
type Section = Record<string, any>
const config = parseJsonc(await readFile(join(ROOT, 'wrangler.jsonc'), 'utf8')) as Section
const example = parseJsonc(await readFile(join(ROOT, 'examples/worker/wrangler.jsonc'), 'utf8')) as Section

let outdir: string
const dryRuns: Record<string, { output: string; bytes: number }> = {}

async function dryRun(label: string, args: string[]) {
  const out = join(outdir, label)
  const { stdout, stderr } = await run(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', out, ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  dryRuns[label] = { output: stdout + stderr, bytes: (await readFile(join(out, 'index.js'))).byteLength }
}

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'passkey-edge-deploy-'))
  // One at a time: each is a wrangler process with its own esbuild, and CI has two cores.
  await dryRun('staging', ['--env', 'staging'])
  await dryRun('production', ['--env', 'production'])
}, 120_000)

afterAll(() => rm(outdir, { recursive: true, force: true }))

describe('wrangler deploy --dry-run', () => {
  it.each(['staging', 'production'])('should build env.%s with its own bindings and vars', (name) => {
    const { output, bytes } = dryRuns[name] ?? { output: '', bytes: 0 }
    expect(output).toContain('--dry-run: exiting now.')
    expect(bytes).toBeGreaterThan(1000)
    for (const binding of [
      'env.TRANSACTIONS',
      'env.METRICS',
      'env.RATE_LIMIT_IP',
      'env.RATE_LIMIT_LOGIN_ID',
      'env.ASSETS',
      'env.RATE_LIMITS',
      'env.DESCOPE_PROJECT_ID',
      'env.ALLOWED_ORIGINS',
    ]) {
      expect(output).toContain(binding)
    }
  })

  it("should build the example Worker's config with its service binding", async () => {
    await dryRun('example', ['--config', 'examples/worker/wrangler.jsonc'])
    expect(dryRuns.example?.output).toContain('--dry-run: exiting now.')
    expect(dryRuns.example?.output).toMatch(/env\.SESSION[^\n]*passkey-edge#SessionVerifier/)
    expect(example.compatibility_date).toBe(config.compatibility_date)
  }, 60_000)
})

describe('wrangler.jsonc', () => {
  it('should let wrangler provision the KV namespace instead of shipping a placeholder id', () => {
    for (const section of [config, config.env.staging, config.env.production]) {
      expect(section.kv_namespaces).toEqual([{ binding: 'TRANSACTIONS' }])
    }
  })

  it('should keep production on the site host only: no workers.dev, no preview URLs, routes on one hostname', () => {
    const production = config.env.production
    expect(production.workers_dev).toBe(false)
    expect(production.preview_urls).toBe(false)
    const hosts = new Set(production.routes.map((route: { pattern: string }) => new URL(`https://${route.pattern}`).host))
    expect(hosts.size).toBe(1)
    expect(production.vars.ALLOWED_ORIGINS).toBe(`https://${[...hosts][0]}`)
    expect(config.env.staging.workers_dev).toBe(false)
  })

  it('should upload source maps and keep the bundle free of nodejs_compat', () => {
    expect(config.upload_source_maps).toBe(true)
    expect(JSON.stringify(config)).not.toContain('nodejs_compat')
  })
})

describe('npm run deploy', () => {
  it('should refuse the placeholders of this repository, naming each', () => {
    const problems = deployProblems(config, 'production')
    expect(problems).toEqual([
      expect.stringMatching(/^DESCOPE_PROJECT_ID is empty in env\.production/),
      expect.stringMatching(/^ALLOWED_ORIGINS in env\.production still names example\.com/),
      ...deploymentOf(config, 'production').routes.map(() => expect.stringMatching(/example\.com placeholder/)),
    ])
    expect(deployProblems(config, '')).toContain(`DESCOPE_PROJECT_ID is empty in the top level's "vars"`)
    expect(() => deployProblems(config, 'prod')).toThrow(/no environment "prod"/)
  })

  it('should let a filled-in environment through', () => {
    const filled = structuredClone(config)
    filled.env.production.vars.DESCOPE_PROJECT_ID = 'P2abcdefghijklmnopqrstuvwxyz1'
    filled.env.production.vars.ALLOWED_ORIGINS = 'https://shop.test'
    filled.env.production.routes = [{ pattern: 'shop.test/auth/*', zone_name: 'shop.test' }]
    expect(deployProblems(filled, 'production')).toEqual([])
  })

  it('should stop before wrangler when a placeholder is left, exiting non-zero', async () => {
    const failure = await run(process.execPath, [join(ROOT, 'scripts/deploy.mjs'), '--env', 'production'], { cwd: ROOT }).catch(
      (error: { code: number; stderr: string }) => error
    )
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('Not deploying env.production') })
  })
})
