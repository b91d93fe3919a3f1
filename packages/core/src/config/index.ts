export * from './environments.js'
export * from './gitops-config.js'
export * from './layout.js'
export * from './protection.js'
