/**
 * @module
 * Login IDs: what goes to Descope, and the edge's own key for one.
 *
 * Descope gets the ID as typed, only trimmed and NFC-normalised: how Descope matches login IDs
 * (case, width) is not published, and a user made elsewhere as `Alice@Example.com` must be able to
 * sign in here. Characters that make two IDs look alike or hide text are refused rather than
 * stripped, so what the user sees is what Descope gets. The edge's own data (rate limits, decoys)
 * is keyed by a folded form (width-mapped, lower case), so `Alice@` and `alice@` share a budget
 * and a decoy whatever Descope does.
 */
import { AppError } from '../errors.ts'

/** Emails are at most 254 characters (RFC 5321 §4.5.3.1.3); nothing else needs more. */
const MAX_LOGIN_ID_LENGTH = 254

/**
 * Refused anywhere in a login ID: controls (NUL, CR, LF: log injection), format characters
 * (zero-width joiners and spaces, bidi overrides like U+202E), line and paragraph separators,
 * private-use, unassigned and lone surrogate code points, and every space other than U+0020.
 */
const REFUSED = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u
/** Halfwidth and fullwidth forms (U+FF01–U+FFEE), mapped to their ASCII or narrow forms. */
const WIDE = /[\uFF01-\uFFEE]/gu

/**
 * The login ID as Descope gets it (trimmed, NFC) or a 400: `invalid_request` when the value is
 * not a string, `invalid_login_id` when it is empty, too long or has a refused character.
 */
export function canonicalLoginId(value: unknown, field = 'loginId'): string {
  if (typeof value !== 'string') throw new AppError('invalid_request', { message: `"${field}" must be a string.` })
  if (REFUSED.test(value)) throw invalid(field, 'has a character that is not allowed')
  const canonical = value.trim().normalize('NFC')
  if (canonical.length === 0) throw invalid(field, 'is empty')
  if ([...canonical].length > MAX_LOGIN_ID_LENGTH) throw invalid(field, `is longer than ${MAX_LOGIN_ID_LENGTH} characters`)
  // Check after normalising too: NFC could compose refused characters out of allowed ones.
  if (REFUSED.test(canonical)) throw invalid(field, 'has a character that is not allowed')
  return canonical
}

/** The edge's own key for a login ID (rate limits, decoys): fullwidth → ASCII, lower case, NFC. */
export function loginIdKey(loginId: string): string {
  return loginId
    .replace(WIDE, (char) => char.normalize('NFKC'))
    .toLowerCase()
    .normalize('NFC')
}

function invalid(field: string, what: string): AppError {
  return new AppError('invalid_login_id', { message: `"${field}" ${what}.` })
}
