export * from './compute-tag.js'
export * from './bump-overlay.js'
export * from './promotion/index.js'
export * from './protection/index.js'
