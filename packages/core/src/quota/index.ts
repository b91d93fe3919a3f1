export * from './check-quotas.js'
