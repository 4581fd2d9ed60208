// `npm run build`: the package's entry points and what they import, in dist/: the session check
// (src/package/) compiled by tsc to ES modules with declarations (tsconfig.build.json), and the
// browser client (static/client/) copied as it is, with declarations from its JSDoc.
//
// The sources name their .ts files in relative imports; tsc rewrites those to .js in the emitted
// JavaScript (`rewriteRelativeImportExtensions`), as Node's ES modules and Deno need, and keeps
// them in the declarations, where TypeScript reads './x.ts' as './x.d.ts'. Then whatever the
// entry points do not reach is removed: tsc also emits the files that the generated Worker types
// pull in (worker-configuration.d.ts names src/index.ts as the main module).
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist')
const RELATIVE = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g
const ENTRY_POINTS = ['package/session', 'package/rpc', 'client/index']
const tsc = (project) => execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, project)], { stdio: 'inherit' })

rmSync(DIST, { recursive: true, force: true })
tsc('tsconfig.build.json')
// The browser client ships as the page loads it (static/client/), with declarations from its JSDoc.
tsc('tsconfig.client.json')
for (const name of readdirSync(join(ROOT, 'static/client'))) {
  if (name.endsWith('.js')) copyFileSync(join(ROOT, 'static/client', name), join(DIST, 'client', name))
}

// Keep what the entry points reach (their .js and .d.ts), nothing else.
const reached = new Set()
const visit = (file) => {
  if (reached.has(file)) return
  if (!existsSync(file)) throw new Error(`dist/ lacks ${file}, which an entry point imports`)
  reached.add(file)
  for (const [, , , specifier] of readFileSync(file, 'utf8').matchAll(RELATIVE))
    visit(resolve(dirname(file), specifier.replace(/\.(?:js|ts)$/, file.endsWith('.d.ts') ? '.d.ts' : '.js')))
}
for (const entry of ENTRY_POINTS) for (const extension of ['.js', '.d.ts']) visit(join(DIST, entry + extension))
let removed = 0
for (const file of [...walk(DIST)]) {
  if (reached.has(file)) continue
  unlinkSync(file)
  removed++
}
removeEmptyDirectories(DIST)
console.log(`dist/: ${reached.size} files (${removed} not reached by ${ENTRY_POINTS.join(', ')} removed)`)

function removeEmptyDirectories(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) removeEmptyDirectories(path)
  }
  if (directory !== DIST && readdirSync(directory).length === 0) rmSync(directory, { recursive: true })
}

function* walk(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else yield path
  }
}
