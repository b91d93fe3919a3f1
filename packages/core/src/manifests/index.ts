export * from './container-images.js'
export * from './manifest.js'
