/**
 * The toolchain the README promises: the scripts run on the Node from the `node` package; dev,
 * tests, bench and deploy run one workerd (wrangler's, which the test pool is aligned to by
 * `overrides` in package.json); the Env type is the one wrangler generates from wrangler.jsonc.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT, toolchainVersions } from '../../scripts/lib/workerd.mjs'

type NpmTree = { version?: string; dependencies?: Record<string, NpmTree> }

/** Every version of `name` anywhere in an `npm ls --json --all` tree. */
function versionsOf(name: string, tree: NpmTree, found = new Set<string>()): Set<string> {
  for (const [dependency, node] of Object.entries(tree.dependencies ?? {})) {
    if (dependency === name && node.version) found.add(node.version)
    versionsOf(name, node, found)
  }
  return found
}

const run = promisify(execFile)

describe('toolchain', () => {
  it('should run the tests on Node >= 22.12 (the node package, not the machine’s Node 20)', () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
    expect(major > 22 || (major === 22 && minor >= 12), `Node ${process.versions.node}`).toBe(true)
  })

  it('should resolve workerd to one version: `npm ls workerd`', async () => {
    const { stdout } = await run('npm', ['ls', 'workerd', '--all', '--json'], { cwd: ROOT, timeout: 30_000 })
    const versions = versionsOf('workerd', JSON.parse(stdout) as NpmTree)
    expect([...versions]).toEqual([toolchainVersions().workerd])
  }, 40_000)

  it('should use wrangler >= 4.160', () => {
    const [major = 0, minor = 0] = toolchainVersions().wrangler.split('.').map(Number)
    expect(major > 4 || (major === 4 && minor >= 160), `wrangler ${toolchainVersions().wrangler}`).toBe(true)
  })

  it('should have worker-configuration.d.ts up to date with wrangler.jsonc (`npm run types -- --check`)', async () => {
    const checked = await run('npm', ['run', '--silent', 'types', '--', '--check'], { cwd: ROOT, timeout: 60_000 }).then(
      () => 'up to date',
      (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`
    )
    expect(checked).toBe('up to date')
  }, 70_000)
})
