// `npm run build`: the package's entry points (src/package/) and what they import, compiled by
// tsc to ES modules with declarations in dist/ (tsconfig.build.json).
//
// The sources import each other without file extensions (bundler resolution, as wrangler builds
// the Worker); Node's ES modules, Deno and TypeScript's node16 resolution need them. So each
// relative specifier in dist/ is completed here: './x' → './x.js' (or './x/index.js').
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist')
const RELATIVE = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g

rmSync(DIST, { recursive: true, force: true })
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' })

let files = 0
for (const file of walk(DIST)) {
  if (!/\.(?:js|d\.ts)$/.test(file)) continue
  const source = readFileSync(file, 'utf8')
  const completed = source.replace(RELATIVE, (match, keyword, quote, specifier) => `${keyword}${quote}${complete(file, specifier)}${quote}`)
  if (completed !== source) writeFileSync(file, completed)
  files++
}
console.log(`dist/: ${files} files`)

function complete(file, specifier) {
  if (/\.m?js$/.test(specifier)) return specifier
  const target = resolve(dirname(file), specifier)
  if (existsSync(`${target}.js`)) return `${specifier}.js`
  if (existsSync(join(target, 'index.js'))) return `${specifier}/index.js`
  throw new Error(`${file}: cannot complete the import of ${specifier}`)
}

function* walk(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else yield path
  }
}
