export * from './builtin-rules.js'
export * from './cel-rules.js'
export * from './check-policies.js'
export * from './suppression.js'
