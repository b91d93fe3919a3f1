export * from './auth-challenge.js'
export * from './media-types.js'
export * from './registry-client.js'
