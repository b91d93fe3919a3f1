export * from './renderer.js'
export * from './image-verification.js'
