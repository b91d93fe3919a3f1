export * from './client.js'
export * from './commit-evidence.js'
