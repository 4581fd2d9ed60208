/**
 * `npm run mutants` (scripts/mutants.mjs) removes the threat model's one-line rules one at a
 * time; it runs on demand. What keeps it honest runs here, in seconds: each removal's text is
 * still found exactly once in src/ (a refactor updates the list instead of skipping a rule), and
 * the list and docs/threat-model.md's table name the same removals.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/lib/workerd.mjs'
import { MUTANTS } from '../../scripts/mutants-list.mjs'

const run = promisify(execFile)

/** The rows of the threat model's table of removals: `[name, threat]`. */
function documentedRemovals(): string[][] {
  const text = readFileSync(join(ROOT, 'docs/threat-model.md'), 'utf8')
  const section = text.slice(text.indexOf('## T. Rules guarded by a removal'))
  return [...section.matchAll(/^\| `([a-z0-9-]+)` \| (T\d\d) \|/gm)].map(([, name, threat]) => [name!, threat!])
}

describe('the mutant list', () => {
  it('should find the text of every removal exactly once (mutants --check)', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/mutants.mjs'), '--check'], { cwd: ROOT })
    expect(stdout).toContain(`${MUTANTS.length} mutants, each text found once`)
  })

  it('should name the same removals as the threat model, each once and with its threat', () => {
    const listed = MUTANTS.map((mutant) => [mutant.name, mutant.threat])
    expect(new Set(listed.map(([name]) => name)).size).toBe(listed.length)
    expect(documentedRemovals().sort()).toEqual(listed.sort())
  })
})
