/**
 * @module
 * A recovery link opens the page as `<page>?t=<token>`. The token is a credential until used: it
 * must leave the address bar before anything else happens, so that it stays in no history entry,
 * bookmark, shared screenshot or later request's referrer.
 */

/**
 * Takes the link's token out of the address bar (`history.replaceState`) and returns it; `null`
 * when the page was not opened from a recovery link. Call it first thing on the page.
 * @returns {string | null}
 */
export function takeRecoveryToken() {
  const url = new URL(location.href)
  const token = url.searchParams.get('t')
  if (token === null) return null
  url.searchParams.delete('t')
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`)
  return token
}
