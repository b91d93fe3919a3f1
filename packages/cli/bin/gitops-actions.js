#!/usr/bin/env node
// Runs the bundled CLI (npm run build writes dist/cli/index.js).

// ajv-formats-draft2019 (idn-hostname, used by the schema checks) loads Node's built-in punycode,
// which Node 22+ reports as deprecated (DEP0040) on every run: noise for a command's user, who can
// do nothing about it. Every other warning is kept.
const emitWarning = process.emitWarning
process.emitWarning = function (warning, ...rest) {
  const code = typeof rest[0] === 'object' ? rest[0]?.code : rest[1]
  if (code === 'DEP0040') return
  return emitWarning.call(process, warning, ...rest)
}

await import('../../../dist/cli/index.js')
