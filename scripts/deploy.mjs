// `npm run deploy -- --env <staging|production>`: refuses a config that still has placeholders
// (scripts/lib/deploy-config.mjs), type-checks, then runs `wrangler deploy` with the same
// arguments. Without --env it deploys the top level (a first try on workers.dev).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deployProblems } from './lib/deploy-config.mjs'
import { parseJsonc, ROOT } from './lib/workerd.mjs'

const args = process.argv.slice(2)
const envName = envArgument(args) ?? process.env.CLOUDFLARE_ENV ?? ''
const config = parseJsonc(readFileSync(join(ROOT, 'wrangler.jsonc'), 'utf8'))

const problems = deployProblems(config, envName)
if (problems.length > 0) {
  console.error(`Not deploying ${envName ? `env.${envName}` : 'the top level'}: wrangler.jsonc still has placeholders.`)
  for (const problem of problems) console.error(`  - ${problem}`)
  console.error('Fill them in (README, "Deploy"), then run this again.')
  process.exit(1)
}

const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm']
run(npm[0], [...npm.slice(1), 'run', 'typecheck'])
run(process.execPath, [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', ...(envArgument(args) === undefined ? ['--env', envName] : []), ...args])

function envArgument(list) {
  for (let index = 0; index < list.length; index++) {
    const arg = list[index]
    if (arg === '--env' || arg === '-e') return list[index + 1] ?? ''
    if (arg.startsWith('--env=') || arg.startsWith('-e=')) return arg.slice(arg.indexOf('=') + 1)
  }
  return undefined
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
