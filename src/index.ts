/**
 * @module
 * The Worker entry: the Hono app as the default export.
 */
import { createApp } from './app'

export default createApp()
