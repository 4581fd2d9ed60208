/**
 * @module
 * One canonical form of a login ID, used for Descope, for the transaction record and for logs
 * (after the RFC 8265 "UsernameCaseMapped" steps that matter here): trim, fullwidth → ASCII
 * width mapping, lower case, NFC. Characters that make two IDs look alike or hide text are
 * refused rather than stripped, so what the user sees is what Descope gets.
 */
import { AppError } from '../errors'

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
 * Returns the canonical login ID or throws 400: `invalid_request` when the value is not a
 * string, `invalid_login_id` when it is empty, too long or has a refused character.
 */
export function canonicalLoginId(value: unknown, field = 'loginId'): string {
  if (typeof value !== 'string') throw new AppError('invalid_request', { message: `"${field}" must be a string.` })
  // Check before mapping too: NFKC could turn some refused characters into allowed ones.
  if (REFUSED.test(value)) throw invalid(field, 'has a character that is not allowed')
  const canonical = value
    .trim()
    .replace(WIDE, (char) => char.normalize('NFKC'))
    .toLowerCase()
    .normalize('NFC')
  if (canonical.length === 0) throw invalid(field, 'is empty')
  if ([...canonical].length > MAX_LOGIN_ID_LENGTH) throw invalid(field, `is longer than ${MAX_LOGIN_ID_LENGTH} characters`)
  if (REFUSED.test(canonical)) throw invalid(field, 'has a character that is not allowed')
  return canonical
}

function invalid(field: string, what: string): AppError {
  return new AppError('invalid_login_id', { message: `"${field}" ${what}.` })
}
