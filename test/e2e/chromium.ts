/**
 * @module
 * Chromium's launch arguments, shared with `npm run smoke` (scripts/lib/chromium.mjs).
 */
export { CHROMIUM_ARGS } from '../../scripts/lib/chromium.mjs'
