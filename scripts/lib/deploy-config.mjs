// What must be filled in before a deploy (README, "Deploy"): the vars that wrangler.jsonc leaves
// empty on purpose and the example.com placeholders. scripts/deploy.mjs refuses to deploy while
// any is left, naming each; test/node/deploy.test.ts runs it on the repository's own config.

/**
 * The settings one environment of a parsed wrangler.jsonc deploys with: its own vars and routes
 * (wrangler does not inherit these into environments), else the top level's.
 */
export function deploymentOf(config, envName) {
  const section = envName ? config.env?.[envName] : config
  if (!section) throw new Error(`wrangler.jsonc has no environment "${envName}" (it has: ${Object.keys(config.env ?? {}).join(', ') || 'none'})`)
  return {
    name: section.name ?? config.name,
    vars: section.vars ?? {},
    routes: [...(section.routes ?? []), ...(section.route ? [section.route] : [])],
    workersDev: section.workers_dev ?? config.workers_dev ?? true,
  }
}

/** Sentences naming what is still a placeholder; empty when the environment can be deployed. */
export function deployProblems(config, envName) {
  const { vars, routes, workersDev } = deploymentOf(config, envName)
  const where = envName ? `env.${envName}` : 'the top level'
  const problems = []
  for (const name of ['DESCOPE_PROJECT_ID', 'ALLOWED_ORIGINS']) {
    if (!String(vars[name] ?? '').trim()) problems.push(`${name} is empty in ${where}'s "vars"`)
  }
  if (/\bexample\.com\b/.test(String(vars.ALLOWED_ORIGINS ?? ''))) problems.push(`ALLOWED_ORIGINS in ${where} still names example.com`)
  for (const route of routes) {
    const pattern = typeof route === 'string' ? route : route.pattern
    if (/\bexample\.com\b/.test(`${pattern} ${route.zone_name ?? ''}`)) problems.push(`the route "${pattern}" in ${where} is the example.com placeholder`)
  }
  if (routes.length === 0 && !workersDev) problems.push(`${where} has neither routes nor workers_dev: the Worker would not be reachable`)
  return problems
}
