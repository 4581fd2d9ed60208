/** Every `METHOD path` the Worker serves (docs/api.md). */
export const PASSKEY_FLOWS = ['signup', 'signin', 'signup-in', 'update'] as const

export const ROUTES: ReadonlyArray<[string, string]> = [
  ...PASSKEY_FLOWS.flatMap(
    (flow): Array<[string, string]> => [
      ['POST', `/auth/passkey/${flow}/start`],
      ['POST', `/auth/passkey/${flow}/finish`],
    ]
  ),
  ['POST', '/auth/refresh'],
  ['POST', '/auth/logout'],
  ['POST', '/auth/logout-all'],
  ['GET', '/auth/me'],
  ['GET', '/auth/session'],
  ['GET', '/api/hello'],
  ['GET', '/api/sensitive'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
]

/** The recovery routes, served only with `RECOVERY` set (docs/recovery.md); 404 otherwise. */
export const RECOVERY_ROUTES: ReadonlyArray<[string, string]> = [
  ['GET', '/auth/recover/method'],
  ['POST', '/auth/recover/start'],
  ['POST', '/auth/recover/finish'],
]
