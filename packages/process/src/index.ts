export * from './tool-limits.js'
export * from './bounded-process.js'
