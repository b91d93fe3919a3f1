export * from './desired-state.js'
export * from './protection-diff.js'
export * from './sync-protection.js'
