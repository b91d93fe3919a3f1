export * from './batch-render.js'
export * from './batched-render.js'
export * from './renderer.js'
export * from './image-verification.js'
