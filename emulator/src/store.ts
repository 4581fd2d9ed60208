/**
 * @module
 * One project's state in its Durable Object storage (SQLite-backed, so it survives restarts of
 * `wrangler dev`): users, passkeys, refresh sessions, pending transactions, signing keys, and
 * the test affordances (call counts, faults, clock offset).
 */
import { DEFAULT_SETTINGS, loginKey, type ProjectSettings } from './settings'
import { generateSigningKey, type SigningKey } from './tokens'

export interface StoredUser {
  userId: string
  loginIds: string[]
  name: string
  givenName: string
  middleName: string
  familyName: string
  email: string
  phone: string
  /** base64url WebAuthn user handle (`user.id` in creation options). */
  handle: string
  createdTime: number
  status: 'enabled' | 'disabled'
  roleNames: string[]
  /** Project-level permissions (absent on users stored before tenants existed). */
  permissions?: string[]
  /** Tenant memberships, in the order they were given (the first is the default current tenant). */
  tenants?: TenantMembership[]
  credentialIds: string[]
}

export interface TenantMembership {
  tenantId: string
  roles: string[]
  permissions: string[]
}

export interface StoredCredential {
  /** base64url credential ID. */
  id: string
  userId: string
  /** base64url COSE public key. */
  publicKey: string
  counter: number
  rpId: string
  transports?: string[]
  createdTime: number
}

/** A refresh session: the refresh JWT's `jti`. Logout marks it revoked. */
/** How many signing keys stay listed after a rotation that keeps them (Descope's docs: about 12). */
const KEPT_KEYS = 12

export interface StoredSession {
  sid: string
  userId: string
  exp: number
  revoked: boolean
  amr: string[]
  su: boolean
  /** When the step-up behind `su` happened (emulator clock), for `step_up_token_expiration`. */
  stepUpAt?: number
  customClaims: Record<string, unknown>
  /** The current tenant (`dct`), chosen when the session opened. */
  tenantId?: string
  /** Set when rotation replaced this refresh token (it is refused from then on). */
  rotated?: boolean
}

export type Flow = 'signup' | 'signin' | 'update'

/** A pending WebAuthn ceremony between start and finish; deleted on first use. */
export interface Transaction {
  id: string
  flow: Flow
  origin: string
  rpId: string
  challenge: string
  exp: number
  loginId: string
  /** The new user's ID (signup) or the existing one (signin, update); empty for usernameless sign-in. */
  userId: string
  /** Sign-up details from the start request. */
  details?: Partial<Pick<StoredUser, 'name' | 'givenName' | 'middleName' | 'familyName' | 'email' | 'phone'>>
  handle?: string
  userVerification: 'required' | 'preferred' | 'discouraged'
  stepup: boolean
  mfa: boolean
  /** Factors of the refresh session that vouched for a step-up / MFA / update start. */
  priorAmr: string[]
  customClaims: Record<string, unknown>
  /** `loginOptions.tenantId` of the start. */
  tenantId?: string
}

/** A magic link's token, single use until `exp`. */
export interface MagicLink {
  token: string
  userId: string
  exp: number
}

/** An email the project "sent" (the emulator's outbox). */
export interface SentEmail {
  to: string
  loginId: string
  link: string
  sentAt: number
}

/** The outbox keeps the newest emails only. */
const OUTBOX_SIZE = 50

export interface Fault {
  route: string
  status?: number
  body?: string | Record<string, unknown>
  /** A list sends that header once per value (several `Set-Cookie` lines). */
  headers?: Record<string, string | string[]>
  latencyMs?: number
  reset?: boolean
  /** Answer with a new session of this user (a user ID), whoever called: another user's valid tokens. */
  tokensOf?: string
  /** Remaining applications; unlimited when absent. */
  times?: number
}

/** Typed access to one project's storage. */
export class Store {
  private clockOffset = 0
  private currentSettings: ProjectSettings = { ...DEFAULT_SETTINGS }
  // A promise, so concurrent first requests share one key generation.
  private keyState?: Promise<{ current: string; keys: SigningKey[] }>

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Loads what every request needs; called once under `blockConcurrencyWhile`. */
  async load(): Promise<void> {
    this.clockOffset = (await this.storage.get<number>('clock')) ?? 0
    this.currentSettings = { ...DEFAULT_SETTINGS, ...(await this.storage.get<Partial<ProjectSettings>>('settings')) }
  }

  /** The project's settings (emulator/src/settings.ts). */
  settings(): ProjectSettings {
    return this.currentSettings
  }

  async putSettings(settings: ProjectSettings): Promise<void> {
    this.currentSettings = settings
    await this.storage.put('settings', settings)
  }

  /** The emulator's clock in epoch seconds (real time plus the test offset). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffset
  }

  async setClockOffset(seconds: number): Promise<void> {
    this.clockOffset = seconds
    await this.storage.put('clock', seconds)
  }

  // Users and login IDs: indexed as given (`login:`) and lower-cased (`loginci:`), so the
  // project's `login_id_case` can change at run time. Older state has only `login:<lower>`.

  async userByLoginId(loginId: string): Promise<StoredUser | undefined> {
    const sensitive = this.currentSettings.login_id_case === 'sensitive'
    const lower = loginId.toLowerCase()
    const userId = sensitive
      ? await this.storage.get<string>(`login:${loginId}`)
      : ((await this.storage.get<string>(`loginci:${lower}`)) ?? (await this.storage.get<string>(`login:${lower}`)))
    return userId ? this.user(userId) : undefined
  }

  /** Whether `user` has `loginId`, compared as the project compares login IDs. */
  hasLoginId(user: StoredUser, loginId: string): boolean {
    const key = loginKey(this.currentSettings, loginId)
    return user.loginIds.some((id) => loginKey(this.currentSettings, id) === key)
  }

  user(userId: string): Promise<StoredUser | undefined> {
    return this.storage.get<StoredUser>(`user:${userId}`)
  }

  async putUser(user: StoredUser): Promise<void> {
    const entries: Record<string, unknown> = { [`user:${user.userId}`]: user }
    for (const loginId of user.loginIds) {
      entries[`login:${loginId}`] = user.userId
      entries[`loginci:${loginId.toLowerCase()}`] = user.userId
    }
    await this.storage.put(entries)
  }

  // Passkeys.

  credential(id: string): Promise<StoredCredential | undefined> {
    return this.storage.get<StoredCredential>(`cred:${id}`)
  }

  async credentialsOf(user: StoredUser): Promise<StoredCredential[]> {
    const found = await this.storage.get<StoredCredential>(user.credentialIds.map((id) => `cred:${id}`))
    return [...found.values()]
  }

  putCredential(credential: StoredCredential): Promise<void> {
    return this.storage.put(`cred:${credential.id}`, credential)
  }

  /** The user without any passkey (as if removed in the console); its refresh sessions stay. */
  async removePasskeys(user: StoredUser): Promise<StoredUser> {
    await this.storage.delete(user.credentialIds.map((id) => `cred:${id}`))
    const bare = { ...user, credentialIds: [] }
    await this.putUser(bare)
    return bare
  }

  // Refresh sessions.

  session(sid: string): Promise<StoredSession | undefined> {
    return this.storage.get<StoredSession>(`session:${sid}`)
  }

  putSession(session: StoredSession): Promise<void> {
    return this.storage.put(`session:${session.sid}`, session)
  }

  async sessionsOf(userId: string): Promise<StoredSession[]> {
    const all = await this.storage.list<StoredSession>({ prefix: 'session:' })
    return [...all.values()].filter((session) => session.userId === userId)
  }

  // Transactions: single use, so `take` deletes before anyone can look again.

  putTransaction(transaction: Transaction): Promise<void> {
    return this.storage.put(`tx:${transaction.id}`, transaction)
  }

  /** The transaction, deleted in the same step; undefined when unknown, used or expired. */
  takeTransaction(id: string): Promise<Transaction | undefined> {
    return this.takeOnce<Transaction>(`tx:${id}`)
  }

  // Magic links: single use, like transactions.

  putMagicLink(link: MagicLink): Promise<void> {
    return this.storage.put(`magiclink:${link.token}`, link)
  }

  /** The link, deleted in the same step; undefined when unknown, used or expired. */
  takeMagicLink(token: string): Promise<MagicLink | undefined> {
    return this.takeOnce<MagicLink>(`magiclink:${token}`)
  }

  /** A single-use entry, deleted as it is read; undefined when absent or past its `exp`. */
  private async takeOnce<T extends { exp: number }>(key: string): Promise<T | undefined> {
    const entry = await this.storage.get<T>(key)
    if (!entry) return undefined
    await this.storage.delete(key)
    return entry.exp > this.now() ? entry : undefined
  }

  async sendEmail(email: SentEmail): Promise<void> {
    await this.storage.put('outbox', [email, ...(await this.outbox())].slice(0, OUTBOX_SIZE))
  }

  /** Sent emails, newest first. */
  async outbox(): Promise<SentEmail[]> {
    return (await this.storage.get<SentEmail[]>('outbox')) ?? []
  }

  clearOutbox(): Promise<boolean> {
    return this.storage.delete('outbox')
  }

  // Signing keys: the current one signs; the JWKS lists the current one and those kept on rotation.

  async signingKeys(): Promise<{ current: SigningKey; keys: SigningKey[] }> {
    this.keyState ??= this.storage
      .get<{ current: string; keys: SigningKey[] }>('keys')
      .then((stored) => stored ?? this.saveNewKey([]))
      .catch((error: unknown) => {
        this.keyState = undefined
        throw error
      })
    const { current, keys } = await this.keyState
    const currentKey = keys.find((key) => key.kid === current)
    if (!currentKey) throw new Error('signing key missing')
    return { current: currentKey, keys }
  }

  /** A new current key; with `keepOld` the newest previous ones stay listed (Descope keeps about 12). */
  async rotateKeys(keepOld: boolean): Promise<SigningKey> {
    const { keys } = await this.signingKeys()
    this.keyState = this.saveNewKey(keepOld ? keys.slice(0, KEPT_KEYS - 1) : [])
    return (await this.signingKeys()).current
  }

  private async saveNewKey(previous: SigningKey[]): Promise<{ current: string; keys: SigningKey[] }> {
    const key = await generateSigningKey(this.now())
    const record = { current: key.kid, keys: [key, ...previous] }
    await this.storage.put('keys', record)
    return record
  }

  // Test affordances.

  async countCall(route: string): Promise<void> {
    const calls = await this.calls()
    calls[route] = (calls[route] ?? 0) + 1
    await this.storage.put('calls', calls)
  }

  async calls(): Promise<Record<string, number>> {
    return (await this.storage.get<Record<string, number>>('calls')) ?? {}
  }

  resetCalls(): Promise<boolean> {
    return this.storage.delete('calls')
  }

  async faults(): Promise<Fault[]> {
    return (await this.storage.get<Fault[]>('faults')) ?? []
  }

  putFaults(faults: Fault[]): Promise<void> {
    return this.storage.put('faults', faults)
  }
}
