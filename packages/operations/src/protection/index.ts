export * from './apply-protection.js'
