/**
 * @module
 * The package as its users get it, once per test run: `npm run build`, `npm pack` (what
 * `npm publish` uploads), and the tarball unpacked into `examples/node_modules/passkey-edge`, where
 * the example Worker and the Node script import it from (examples/). Both Node test setups call
 * this; they run in one process, so the work is shared through a global, not done twice.
 */
import { execFile } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../../scripts/lib/workerd.mjs'

export interface PackedPackage {
  /** The `.tgz` npm wrote. */
  tarball: string
  /** Every path in the tarball, relative to the package root. */
  files: string[]
  /** Where the tarball is unpacked: the examples' `node_modules/passkey-edge`. */
  installedAt: string
}

const run = promisify(execFile)
const PACK_DIR = join(ROOT, '.wrangler/test/package')
export const EXAMPLES = join(ROOT, 'examples')
const INSTALLED_AT = join(EXAMPLES, 'node_modules/passkey-edge')
const ONCE = Symbol.for('passkey-edge.test.packed-package')

export function packedPackage(): Promise<PackedPackage> {
  const holder = globalThis as { [ONCE]?: Promise<PackedPackage> }
  holder[ONCE] ??= pack()
  return holder[ONCE]
}

async function pack(): Promise<PackedPackage> {
  await run(process.execPath, [join(ROOT, 'scripts/build-package.mjs')], { cwd: ROOT })
  await rm(PACK_DIR, { recursive: true, force: true })
  await mkdir(PACK_DIR, { recursive: true })
  // npm as the one running these tests (npm test), else the one on PATH. The build just ran.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm']
  const [command = 'npm', ...prefix] = npm
  const { stdout } = await run(command, [...prefix, 'pack', '--ignore-scripts', '--json', '--pack-destination', PACK_DIR], { cwd: ROOT })
  const [report] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
  if (!report) throw new Error('npm pack reported nothing')
  const tarball = join(PACK_DIR, report.filename)
  await rm(INSTALLED_AT, { recursive: true, force: true })
  await mkdir(INSTALLED_AT, { recursive: true })
  await run('tar', ['-xzf', tarball, '-C', INSTALLED_AT, '--strip-components=1'])
  return { tarball, files: report.files.map((file) => file.path).sort(), installedAt: INSTALLED_AT }
}
