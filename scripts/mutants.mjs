#!/usr/bin/env node
// `npm run mutants [-- <Tnn or mutant name> …] [--no-baseline] [--check]`: removes the threat model's
// one-line rules one at a time (scripts/mutants-list.mjs) and runs the workerd tests against each
// removal, to show that some test notices. A removal the suite does not notice ("survived") is a
// rule no test guards: add the test (docs/threat-model.md, "Rules guarded by a removal").
//
// Works on a scratch copy of the repo (tracked and untracked files, node_modules linked), never on
// the work tree. Every mutant's text is looked up first: one that is missing or not unique stops
// the run before anything runs, so a refactor cannot skip a mutant silently. Then a run of the
// unchanged copy must pass (skip it with --no-baseline), and each mutant gets its own run
// (`vitest run --project workers --bail=1`; first the test files its entry names, if any, then,
// unless one of them failed, all of them). Exits non-zero when a mutant survived or broke the
// build. Takes minutes: on demand, not in CI. `--check` only looks the texts up (fast;
// test/node/mutants-list.test.ts runs it in `npm test`).
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MUTANTS } from './mutants-list.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** A run longer than this is stopped and counted as killed (a removal that makes the suite hang). */
const RUN_TIMEOUT_MS = 10 * 60_000

const args = process.argv.slice(2)
const baseline = !args.includes('--no-baseline')
const wanted = args.filter((arg) => !arg.startsWith('--'))
const selected = wanted.length === 0 ? MUTANTS : MUTANTS.filter((mutant) => wanted.includes(mutant.threat) || wanted.includes(mutant.name))
if (selected.length === 0) fail(`no mutant matches ${wanted.join(', ')}`)

const problems = MUTANTS.flatMap(checkMutant)
if (problems.length > 0) fail(`the mutant list no longer matches the code:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
if (args.includes('--check')) {
  log(`${MUTANTS.length} mutants, each text found once`)
  process.exit(0)
}

const scratch = copyOfRepo()
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
log(`scratch copy: ${scratch}`)

if (baseline) {
  const run = await runTests(scratch)
  if (run.outcome !== 'survived') fail(`the unchanged code does not pass the workerd tests (${run.outcome}): ${run.detail}`)
  log(`baseline: green in ${seconds(run.ms)}`)
}

const results = []
for (const [index, mutant] of selected.entries()) {
  const path = join(scratch, mutant.file)
  const original = readFileSync(path, 'utf8')
  writeFileSync(
    path,
    original.replace(mutant.find, () => mutant.replace)
  )
  // The files that guarded it last time first (fast); only if none fails, the whole project.
  const hinted = mutant.tests?.length ? await runTests(scratch, mutant.tests) : undefined
  const run = hinted?.outcome === 'killed' ? hinted : await runTests(scratch)
  writeFileSync(path, original)
  results.push({ mutant, ...run })
  log(
    `${index + 1}/${selected.length} ${run.outcome.padEnd(8)} ${mutant.threat} ${mutant.name} (${seconds(run.ms)})${run.detail ? `\n      ${run.detail}` : ''}`
  )
}

const count = (outcome) => results.filter((result) => result.outcome === outcome).length
log(`\n${count('killed')} killed, ${count('survived')} survived, ${count('broken')} broken, of ${results.length}`)
for (const { mutant, outcome } of results.filter((result) => result.outcome !== 'killed')) log(`  ${outcome}: ${mutant.threat} ${mutant.name} — ${mutant.rule}`)
process.exitCode = count('killed') === results.length ? 0 : 1

/** What is wrong with a mutant's entry: a missing file, or text found not exactly once. */
function checkMutant(mutant) {
  const name = `${mutant.threat} ${mutant.name} (${mutant.file})`
  let source
  try {
    source = readFileSync(join(ROOT, mutant.file), 'utf8')
  } catch {
    return [`${name}: file not found`]
  }
  const found = source.split(mutant.find).length - 1
  if (found === 1) return []
  return [`${name}: text ${found === 0 ? 'not found' : `found ${found} times`}: ${JSON.stringify(mutant.find)}`]
}

/** The repo's tracked and untracked (not ignored) files in a new temporary directory, node_modules linked. */
function copyOfRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'passkey-edge-mutants-'))
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
  if (listed.status !== 0) fail(`git ls-files failed: ${listed.stderr}`)
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    try {
      copyFileSync(join(ROOT, file), join(dir, file))
    } catch {
      // Deleted in the work tree but still in the index: the copy is of the work tree.
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/**
 * One run of the workerd tests in `cwd` (all, or the given files): `killed` (a test failed: its name is the detail),
 * `survived` (all passed), `broken` (the run failed without a failing test: the mutant does not
 * build) or `timeout` (counted as killed).
 */
function runTests(cwd, files = []) {
  const report = join(cwd, '.wrangler', 'mutants-report.json')
  rmSync(report, { force: true })
  const started = Date.now()
  const vitest = join(cwd, 'node_modules', '.bin', 'vitest')
  const child = spawn(vitest, ['run', '--project', 'workers', '--bail=1', '--reporter=json', `--outputFile=${report}`, ...files], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  // The last of what it printed, for a run that failed without a failing test.
  let output = ''
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), RUN_TIMEOUT_MS)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const ms = Date.now() - started
      if (signal) return resolve({ outcome: 'killed', detail: `timeout after ${seconds(ms)}`, ms })
      const failed = failedTests(report)
      if (code === 0) return resolve({ outcome: 'survived', detail: '', ms })
      if (failed.length > 0) return resolve({ outcome: 'killed', detail: failed.slice(0, 3).join('\n      '), ms })
      resolve({ outcome: 'broken', detail: output.trim().split('\n').slice(-8).join('\n      '), ms })
    })
  })
}

/** The names of the failed tests in vitest's JSON report (`file > describe > test`). */
function failedTests(report) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'))
  } catch {
    return []
  }
  return parsed.testResults.flatMap((file) => {
    const name = file.name.slice(file.name.indexOf('test/'))
    const tests = file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${name} > ${test.fullName}`)
    // A file that failed outside any test (a hook, an error thrown between tests).
    if (tests.length === 0 && file.status === 'failed') return [`${name}: ${String(file.message).split('\n')[0]}`]
    return tests
  })
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(0)} s`
}

function log(line) {
  process.stdout.write(`[mutants] ${line}\n`)
}

function fail(message) {
  process.stderr.write(`[mutants] ${message}\n`)
  process.exit(2)
}
