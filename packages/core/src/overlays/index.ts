export * from './image-update.js'
export * from './tag-rules.js'
export * from './yaml-text-edit.js'
export * from './overlay-patterns.js'
