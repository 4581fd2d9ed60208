/**
 * @module
 * Bundles every Worker the bench serves. The Workers are built by `wrangler deploy --dry-run
 * --outdir` (the bundle wrangler would upload, so its gzip size is the cold-start figure); the
 * emulator is bundled with esbuild the way the test setups do it.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { COMPATIBILITY_DATE, bundleEmulator } from '../../scripts/lib/workerd.mjs'

const run = promisify(execFile)
export const ROOT = new URL('../..', import.meta.url).pathname
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')
/** The production config's date (wrangler.jsonc), for every bench Worker too. */
export { COMPATIBILITY_DATE }

/**
 * Runs `wrangler deploy --dry-run` for a config and returns the bundle and its sizes.
 * @param {{name: string, config: string, outdir: string}} target
 */
async function dryRun({ name, config, outdir }) {
  const started = performance.now()
  const metafile = join(outdir, 'bundle-meta.json')
  await run(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--config', config, '--outdir', outdir, '--metafile', metafile], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    timeout: 120_000,
  })
  const script = (await readdir(outdir)).find((file) => file.endsWith('.js'))
  if (!script) throw new Error(`wrangler produced no script for ${name}`)
  const code = await readFile(join(outdir, script))
  const gzipBytes = gzipSync(code).byteLength
  return {
    name,
    scriptPath: join(outdir, script),
    bytes: code.byteLength,
    gzipBytes,
    parts: await partsOf(metafile, script, gzipBytes),
    buildMs: Math.round(performance.now() - started),
  }
}

/** Where a bundle's bytes come from: esbuild's metafile, inputs grouped by package. */
const PARTS = [
  ['hono', /node_modules\/hono\//],
  ['jose', /node_modules\/jose\//],
  ['src/', /^src\//],
]

/**
 * Minified bytes of hono, jose, `src/` and the rest, and each one's share of the gzip size.
 * gzip does not split by source, so the share is the gzip size in proportion to minified bytes.
 */
async function partsOf(metafile, script, gzipBytes) {
  const meta = JSON.parse(await readFile(metafile, 'utf8').catch(() => '{}'))
  const output = Object.entries(meta.outputs ?? {}).find(([path]) => path.endsWith(`/${script}`) || path === script)?.[1]
  if (!output) return undefined
  const bytes = { hono: 0, jose: 0, 'src/': 0, other: 0 }
  for (const [path, input] of Object.entries(output.inputs)) {
    const part = PARTS.find(([, pattern]) => pattern.test(path.replace(/\\/g, '/')))?.[0] ?? 'other'
    bytes[part] += input.bytesInOutput
  }
  const total = Object.values(bytes).reduce((sum, value) => sum + value, 0)
  return Object.fromEntries(
    Object.entries(bytes).map(([part, value]) => [part, { minifiedBytes: value, gzipShareBytes: total ? Math.round((gzipBytes * value) / total) : 0 }])
  )
}

/**
 * Writes a minimal wrangler config for a bench Worker (bindings are given to Miniflare instead).
 * @param {string} dir
 * @param {{name: string, main: string, flags?: string[], keepNames?: boolean}} worker
 */
async function benchConfig(dir, { name, main, flags = [], keepNames = true }) {
  await mkdir(dir, { recursive: true })
  const config = join(dir, 'wrangler.json')
  const body = {
    name: `bench-${name}`,
    main: join(ROOT, main),
    compatibility_date: COMPATIBILITY_DATE,
    compatibility_flags: flags,
    // Same as the production config, so every bundle is compared minified.
    minify: true,
    // wrangler's default, but for the Workers that stand for ours (`keepNames: false`, as in
    // wrangler.jsonc): kept names cost a `defineProperty` per named function, some per request.
    keep_names: keepNames,
  }
  await writeFile(config, JSON.stringify(body, null, 2))
  return config
}

/** Bundles the emulator Worker the way the workerd tests do (scripts/lib/workerd.mjs). */
export const buildEmulator = (outdir) => bundleEmulator(join(outdir, 'emulator.js'))

/** Bundles a TypeScript module for plain Node (the software authenticator). */
export async function buildForNode(entry, outfile) {
  const { build } = await import('esbuild')
  await build({ entryPoints: [join(ROOT, entry)], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' })
  return outfile
}

/**
 * Builds the production Worker (the project's own wrangler.jsonc) and each bench Worker,
 * two at a time (2 cores).
 * @param {string} outRoot
 * @param {Array<{name: string, main: string, flags?: string[]}>} workers
 */
export async function buildWorkers(outRoot, workers) {
  const targets = [{ name: 'ours', config: join(ROOT, 'wrangler.jsonc'), outdir: join(outRoot, 'ours') }]
  for (const worker of workers) {
    const dir = join(outRoot, worker.name)
    targets.push({ name: worker.name, config: await benchConfig(dir, worker), outdir: join(dir, 'out') })
  }
  const results = {}
  const queue = [...targets]
  await Promise.all(
    [0, 1].map(async () => {
      for (let target = queue.shift(); target; target = queue.shift()) results[target.name] = await dryRun(target)
    })
  )
  return results
}

/**
 * `passkey-edge/client` as a page loads it: the files as shipped (one request each, gzip), and as
 * a site's bundler would ship it (esbuild, minified, one file, gzip).
 */
export async function clientSize() {
  const folder = join(ROOT, 'static/client')
  const files = (await readdir(folder)).filter((file) => file.endsWith('.js'))
  let shippedGzipBytes = 0
  for (const file of files) shippedGzipBytes += gzipSync(await readFile(join(folder, file))).byteLength
  const { build } = await import('esbuild')
  const bundled = await build({ entryPoints: [join(folder, 'index.js')], bundle: true, minify: true, format: 'esm', write: false })
  return { files: files.length, shippedGzipBytes, bundledGzipBytes: gzipSync(bundled.outputFiles[0].contents).byteLength }
}
