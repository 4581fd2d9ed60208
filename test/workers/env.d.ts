// Types for the workerd tests: `env` and `exports` from "cloudflare:workers" are the Worker's own.
declare namespace Cloudflare {
  interface Env extends Required<Pick<import('../../src/env').Env, 'TRANSACTIONS'>>, import('../../src/env').Env {}
  interface GlobalProps {
    mainModule: typeof import('../../src/index')
  }
}
