// kubernetes-models' format checks (ajv-formats-draft2019, smtp-address-parser) load Node's built-in
// `punycode`, which prints DEP0040 on every run. The warning is about that dependency, not about the
// user's repository, so it is kept out of the step log; every other warning still shows.
const emitWarning = process.emitWarning.bind(process)
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1]
  if (code === 'DEP0040') return
  ;(emitWarning as (...args: unknown[]) => void)(warning, ...rest)
}) as typeof process.emitWarning
