/**
 * `npm run mutants` (scripts/mutants.mjs) removes the threat model's one-line rules one at a
 * time; it runs on demand. What keeps it honest runs here, in seconds: each removal's text is
 * still found exactly once in src/ (a refactor updates the list instead of skipping a rule), and
 * each names a threat of docs/threat-model.md.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/lib/workerd.mjs'
import { MUTANTS } from '../../scripts/mutants-list.mjs'

const run = promisify(execFile)

/** The threat IDs of the threat model's entries (`**Tnn …**`). */
function modelThreats(): Set<string> {
  const text = readFileSync(join(ROOT, 'docs/threat-model.md'), 'utf8')
  return new Set([...text.matchAll(/\*\*(T\d\d)\b/g)].map(([, id]) => id!))
}

describe('the mutant list', () => {
  it('should find the text of every removal exactly once (mutants --check)', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/mutants.mjs'), '--check'], { cwd: ROOT })
    expect(stdout).toContain(`${MUTANTS.length} mutants, each text found once`)
  })

  it('should name each removal once, each with a threat of the threat model', () => {
    const names = MUTANTS.map((mutant) => mutant.name)
    expect(new Set(names).size).toBe(names.length)
    const threats = modelThreats()
    expect(MUTANTS.filter((mutant) => !threats.has(mutant.threat)).map((mutant) => mutant.name)).toEqual([])
  })
})
