export * from './check-codeowners.js'
export * from './codeowners-file.js'
