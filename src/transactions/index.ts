export { createTransactionStore, keyFor, KV_MIN_EXPIRATION_TTL_SECONDS, TX_KEY_PREFIX, TX_RECORD_VERSION } from './store'
export type { ConsumeInput, Flow, NewTransaction, OpenedTransaction, TransactionRecord, TransactionStore, TransactionStoreOptions } from './store'
export { BINDING_COOKIE_PREFIX, bindingCookieName, clearBindingCookie, readBindingCookie, setBindingCookie } from './binding-cookie'

