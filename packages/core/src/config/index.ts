export * from './environments.js'
export * from './gitops-config.js'
export * from './layout.js'
