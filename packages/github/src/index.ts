export * from './client.js'
export * from './commit-evidence.js'
export * from './access-failure.js'
