export * from './git.js'
export * from './history.js'
export * from './plumbing.js'
