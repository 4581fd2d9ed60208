/**
 * The package as `npm pack` ships it (test/support/packed-package.ts unpacks it into
 * examples/node_modules): what is in the tarball and what is not, its manifest, the examples
 * type-checked against its declarations, and the plain Node script importing
 * `passkey-edge/session` from it to verify a real session token of the emulator. And installed
 * as a user installs it today, without the registry: from a git URL and from the tarball.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ROOT } from '../../scripts/lib/workerd.mjs'
import { SoftwareAuthenticator } from '../support/authenticator'

const run = promisify(execFile)
/** npm as the one running these tests (npm test), else the one on PATH. */
const [npm = 'npm', ...npmPrefix] = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm']
const packed = inject('packedPackage')
const emulatorUrl = inject('emulatorUrl')
const ORIGIN = 'https://app.example.com'
const PROJECT_ID = `P${Array.from(crypto.getRandomValues(new Uint8Array(27)), (byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[byte % 62]).join('')}`

/** A real session token: a passkey sign-up at the emulator, as Descope's API is called. */
async function signUp(): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${emulatorUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${PROJECT_ID}` }, body: JSON.stringify(body) })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, any>
  }
  const start = await call('/v1/auth/webauthn/signup/start', { loginId: `node-${crypto.randomUUID()}@example.com`, origin: ORIGIN })
  const credential = await new SoftwareAuthenticator().create(JSON.parse(start.options), ORIGIN)
  return (await call('/v1/auth/webauthn/signup/finish', { transactionId: start.transactionId, response: JSON.stringify(credential) })).sessionJwt
}

/** Runs examples/node/verify-token.mjs with a Node binary; its JSON lines and exit code. */
async function verifyToken(node: string, token: string) {
  const result = await run(node, [join(ROOT, 'examples/node/verify-token.mjs'), token], {
    cwd: join(ROOT, 'examples'),
    env: { PATH: process.env.PATH, DESCOPE_PROJECT_ID: PROJECT_ID, DESCOPE_BASE_URL: emulatorUrl },
  }).then(
    ({ stdout }) => ({ stdout, code: 0 }),
    (error: { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code })
  )
  // The other lines are the session check's own log (`session_rejected`, JSON as in the Worker).
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, any>)
  return { code: result.code, lines: lines.filter((line) => 'check' in line), logs: lines.filter((line) => !('check' in line)) }
}

describe('npm pack', () => {
  it('should ship the built package with its declarations, license and changelog', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/package/session.js',
      'dist/package/session.d.ts',
      'dist/package/rpc.js',
      'dist/package/rpc.d.ts',
      'dist/client/index.js',
      'dist/client/index.d.ts',
    ]) {
      expect(packed.files).toContain(file)
    }
    console.log(`npm pack: ${packed.files.length} files`)
  })

  it('should ship no sources, tests, emulator, tooling, page or local secrets', () => {
    const foreign = packed.files.filter((file) => !/^(dist\/.+\.(js|d\.ts)|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file))
    expect(foreign).toEqual([])
    expect(packed.files.filter((file) => /emulator|test|\.dev\.vars|wrangler/.test(file))).toEqual([])
  })

  it('should declare its entry points and what it needs from its user', () => {
    const manifest = JSON.parse(readFileSync(join(packed.installedAt, 'package.json'), 'utf8'))
    expect(manifest.private).toBeUndefined()
    expect(manifest.license).toBe('MIT')
    expect(Object.keys(manifest.exports)).toEqual(['./session', './rpc', './client', './package.json'])
    for (const entry of ['./session', './rpc', './client']) {
      expect(existsSync(join(packed.installedAt, manifest.exports[entry].types))).toBe(true)
      expect(existsSync(join(packed.installedAt, manifest.exports[entry].default))).toBe(true)
    }
    // The user's Hono (one instance with their app), only for descopeSession(); jose for the check.
    expect(manifest.peerDependencies).toEqual({ hono: expect.stringMatching(/^\^4\./) })
    expect(manifest.peerDependenciesMeta).toEqual({ hono: { optional: true } })
    expect(Object.keys(manifest.dependencies)).toEqual(['jose'])
    // Supported Node lines only: 20 is end of life.
    expect(manifest.engines).toEqual({ node: '^22.12.0 || >=24' })
    // A git install builds dist/ itself (npm runs `prepare` with the dev dependencies).
    expect(manifest.scripts.prepare).toBe('npm run build')
  })

  it('should publish cleanly: `npm publish --dry-run` warns of nothing but the missing login', async () => {
    // The global setup has built dist/ (test/support/packed-package.ts): no `prepare` again here.
    const { stdout, stderr } = await run(npm, [...npmPrefix, 'publish', '--dry-run', '--ignore-scripts'], { cwd: ROOT, timeout: 60_000 })
    const warnings = stderr.split('\n').filter((line) => /\bnpm (warn|error|ERR)/i.test(line) && !line.includes('requires you to be logged in'))
    expect(warnings).toEqual([])
    expect(stdout).toContain('+ passkey-edge@')
  }, 60_000)
})

describe('installing without the registry', () => {
  let scratch: string
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'passkey-edge-install-'))
  })
  afterAll(() => rm(scratch, { recursive: true, force: true }))

  /** A user's project, empty but for its manifest, with `npm install <spec>` run in it as they would. */
  async function installed(name: string, spec: string): Promise<string> {
    const project = join(scratch, name)
    await mkdir(project)
    // npm 11 asks a project to approve the install scripts of its dependencies: the git install's `prepare`.
    await writeFile(join(project, 'package.json'), JSON.stringify({ name, private: true, type: 'module', allowScripts: { 'passkey-edge': true } }))
    await run(npm, [...npmPrefix, 'install', '--no-audit', '--no-fund', '--prefer-offline', spec], { cwd: project, timeout: 240_000 })
    await writeFile(
      join(project, 'check.mjs'),
      `import { createVerifier } from 'passkey-edge/session'
import * as client from 'passkey-edge/client'
const verifier = createVerifier({ projectId: process.env.DESCOPE_PROJECT_ID, baseUrl: process.env.DESCOPE_BASE_URL })
const outcome = await verifier.verify(process.argv[2])
// The browser client loads anywhere (no browser global at import); its calls need a page.
const error = new client.ApiError('rate_limited', 'x', 429, new Headers({ 'Retry-After': '7' }))
console.log(JSON.stringify({ ok: outcome.ok, userId: outcome.ok ? outcome.session.userId : undefined, client: Object.keys(client).sort(), retryAfter: error.retryAfter }))
`
    )
    return project
  }

  /** The installed package checks a real session token of the emulator, in the user's project. */
  async function expectVerifies(project: string) {
    const token = await signUp()
    const { stdout } = await run(process.execPath, ['check.mjs', token], {
      cwd: project,
      env: { PATH: process.env.PATH, DESCOPE_PROJECT_ID: PROJECT_ID, DESCOPE_BASE_URL: emulatorUrl },
    })
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      userId: JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub,
      client: expect.arrayContaining([
        'ApiError',
        'signUp',
        'signIn',
        'signUpOrIn',
        'addDevice',
        'stepUp',
        'currentSession',
        'signOut',
        'createAutofill',
        'recovery',
      ]),
      retryAfter: 7,
    })
    // Hono is an optional peer: a project that only verifies tokens does not get it.
    expect(existsSync(join(project, 'node_modules/hono'))).toBe(false)
  }

  it('should install from a git URL of a clone (npm builds it with `prepare`), verify a session token and load the browser client', async () => {
    const clone = join(scratch, 'clone')
    await run('git', ['clone', '--quiet', ROOT, clone])
    const project = await installed('from-git', `git+file://${clone}`)
    expect(existsSync(join(project, 'node_modules/passkey-edge/dist/package/session.js'))).toBe(true)
    expect(existsSync(join(project, 'node_modules/passkey-edge/dist/client/index.d.ts'))).toBe(true)
    expect(existsSync(join(project, 'node_modules/passkey-edge/src'))).toBe(false)
    await expectVerifies(project)
  }, 300_000)

  it('should install from the tarball, verify a session token and load the browser client', async () => {
    await expectVerifies(await installed('from-tarball', packed.tarball))
  }, 120_000)
})

describe('the examples against the packed package', () => {
  it('should need no Workers types for passkey-edge/session: its declarations name none', () => {
    const reached = new Set<string>()
    const visit = (file: string) => {
      if (reached.has(file)) return
      reached.add(file)
      for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g))
        visit(join(dirname(file), specifier.replace(/\.(?:js|ts)$/, '.d.ts')))
    }
    visit(join(packed.installedAt, 'dist/package/session.d.ts'))
    expect(reached.size).toBeGreaterThan(5)
    const workersOnly = /\b(KVNamespace|Fetcher|RateLimit|DurableObject\w*|ExecutionContext|WorkerEntrypoint|cloudflare:workers)\b/
    expect([...reached].filter((file) => workersOnly.test(readFileSync(file, 'utf8')))).toEqual([])
  })

  it('should type-check: the example Worker with Workers types, the Node script with Node types only, the browser page with DOM types only', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    await run(process.execPath, [tsc, '-p', join(ROOT, 'examples/tsconfig.json')], { cwd: ROOT })
    await run(process.execPath, [tsc, '-p', join(ROOT, 'examples/node/tsconfig.json')], { cwd: ROOT })
    await run(process.execPath, [tsc, '-p', join(ROOT, 'examples/browser/tsconfig.json')], { cwd: ROOT })
  }, 120_000)

  it('should type-check every TypeScript snippet of the README as written', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code = '']) => code)
    expect(snippets.length).toBeGreaterThanOrEqual(3)
    // Beside examples/node_modules, so they import the packed package as a user's project does;
    // the browser client's snippets with DOM types, the others with the Workers types.
    const out = join(ROOT, 'examples/.readme-snippets')
    rmSync(out, { recursive: true, force: true })
    for (const kind of ['worker', 'browser']) mkdirSync(join(out, kind), { recursive: true })
    snippets.forEach((code, index) => {
      const kind = code.includes("from 'passkey-edge/client'") ? 'browser' : 'worker'
      writeFileSync(join(out, kind, `snippet-${index + 1}.ts`), code)
    })
    const base = { compilerOptions: { noEmit: true, strict: true, skipLibCheck: true, moduleResolution: 'Bundler', module: 'ES2022', target: 'ES2022' } }
    writeFileSync(
      join(out, 'worker/tsconfig.json'),
      JSON.stringify({
        ...base,
        // The Workers types name this repo's Worker (its sources import .ts files), as in examples/tsconfig.json.
        compilerOptions: { ...base.compilerOptions, lib: ['ES2022'], types: [], allowImportingTsExtensions: true },
        include: ['../../../worker-configuration.d.ts', '*.ts'],
      })
    )
    writeFileSync(
      join(out, 'browser/tsconfig.json'),
      JSON.stringify({ ...base, compilerOptions: { ...base.compilerOptions, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] }, include: ['*.ts'] })
    )
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    for (const kind of ['worker', 'browser']) await run(process.execPath, [tsc, '-p', join(out, kind, 'tsconfig.json')], { cwd: ROOT })
    rmSync(out, { recursive: true, force: true })
  }, 120_000)

  // The Node running the tests (24), and the machine's own Node when it is another major (20 here).
  const nodes = [process.execPath, ...['/usr/bin/node'].filter((path) => existsSync(path))]
  it.each(nodes)(
    'should verify a real session token in plain Node (%s), with createVerifier and descopeSession',
    async (node) => {
      const token = await signUp()
      const good = await verifyToken(node, token)
      expect(good.code).toBe(0)
      expect(good.lines).toEqual([
        { check: 'createVerifier', ok: true, userId: expect.any(String) },
        { check: 'descopeSession', status: 200, body: { userId: good.lines[0]?.userId } },
      ])
      const bad = await verifyToken(node, `${token.slice(0, -4)}AAAA`)
      expect(bad.code).toBe(1)
      expect(bad.logs).toEqual([
        { event: 'session_rejected', requestId: expect.any(String), from: 'token', reason: 'signature' },
        { event: 'session_rejected', requestId: expect.any(String), from: 'header', reason: 'signature' },
      ])
      expect(bad.lines).toEqual([
        { check: 'createVerifier', ok: false, status: 401, code: 'unauthorized' },
        { check: 'descopeSession', status: 401, body: { error: { code: 'unauthorized', message: expect.any(String), requestId: expect.any(String) } } },
      ])
    },
    60_000
  )
})
