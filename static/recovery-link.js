/**
 * @module
 * A recovery link opens the page as `/?t=<token>`. This module runs first (app.js imports it
 * first) and takes the token out of the address bar before anything else happens, so it stays in
 * no history entry, bookmark, shared screenshot or later request's referrer.
 */

/** The link's token, or `null` when the page was not opened from a recovery link. */
export const recoveryToken = takeToken()

function takeToken() {
  const url = new URL(location.href)
  const token = url.searchParams.get('t')
  if (token === null) return null
  url.searchParams.delete('t')
  history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`)
  return token
}
