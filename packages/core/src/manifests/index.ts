export * from './manifest.js'
