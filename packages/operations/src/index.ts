export * from './compute-tag.js'
