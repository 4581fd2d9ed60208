/** One removal of a threat-model rule (scripts/mutants-list.mjs). */
export interface Mutant {
  /** The threat it guards against, `Tnn` (docs/threat-model.md). */
  threat: string
  /** Unique, kebab-case: what `npm run mutants -- <name>` selects. */
  name: string
  rule: string
  /** Relative to the repo root. */
  file: string
  /** Exact text, found once in `file`. */
  find: string
  replace: string
  /** Test files that guarded it in the last run: run first, so a kill is found fast (a hint only). */
  tests?: string[]
}

export declare const MUTANTS: Mutant[]
