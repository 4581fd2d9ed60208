/**
 * The threat → test index, checked instead of kept by hand: docs/threat-model.md names each
 * threat as `**Tnn …**`; an entry that says what the edge does (`*Edge:*`) needs at least one test
 * whose title (an `it`/`test`/`describe` in test/) names it, unless it says `*No test: …*`. A title
 * that names a threat the model lacks fails too. Also: every relative link in the repo's Markdown
 * points at a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/lib/workerd.mjs'

const SKIP = new Set(['node_modules', 'dist', '.wrangler', '.git'])

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return []
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return files(path, suffix)
    return entry.name.endsWith(suffix) ? [path] : []
  })
}

/** Each threat entry of the model: its IDs (`**T23 …** and **T24 …**` is one entry) and its text. */
function threatEntries(): { ids: string[]; text: string }[] {
  const model = readFileSync(join(ROOT, 'docs/threat-model.md'), 'utf8')
  return model
    .split(/\n(?=- \*\*T\d\d|#)/)
    .filter((entry) => /^- \*\*T\d\d/.test(entry))
    .map((text) => ({ ids: [...text.matchAll(/\*\*(T\d\d)\b/g)].map(([, id]) => id!), text }))
}

/** Every threat ID in a test title, with the file that names it. */
function titledThreats(): Map<string, string[]> {
  const found = new Map<string, string[]>()
  const title = /\b(?:it|test|describe)(?:\.\w+)*(?:\([^()]*\))?\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`)/g
  for (const file of files(join(ROOT, 'test'), '.test.ts')) {
    for (const match of readFileSync(file, 'utf8').matchAll(title)) {
      for (const [id] of (match[1] ?? match[2] ?? match[3]!).matchAll(/\bT\d\d\b/g)) {
        found.set(id, [...(found.get(id) ?? []), relative(ROOT, file)])
      }
    }
  }
  return found
}

describe('the threat index', () => {
  const entries = threatEntries()
  const titled = titledThreats()

  it('should find the threat entries of the model', () => {
    expect(entries.length).toBeGreaterThan(60)
  })

  it('should have a test naming every threat the edge guards, unless its entry says why not', () => {
    const guarded = entries.filter(({ text }) => text.includes('*Edge:*') && !text.includes('*No test:'))
    const untested = guarded.flatMap(({ ids }) => ids).filter((id) => !titled.has(id))
    expect(untested).toEqual([])
  })

  it('should name in test titles only threats the model has', () => {
    const known = new Set(entries.flatMap(({ ids }) => ids))
    const unknown = [...titled].filter(([id]) => !known.has(id)).map(([id, where]) => `${id} in ${where.join(', ')}`)
    expect(unknown).toEqual([])
  })
})

describe('the Markdown links', () => {
  it('should point every relative link at a file that exists', () => {
    const broken: string[] = []
    for (const file of files(ROOT, '.md')) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '')
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:|^#/i.test(target!)) continue
        const path = decodeURIComponent(target!.split('#')[0]!)
        if (!existsSync(join(dirname(file), path))) broken.push(`${relative(ROOT, file)} → ${target}`)
      }
    }
    expect(broken).toEqual([])
  })
})
