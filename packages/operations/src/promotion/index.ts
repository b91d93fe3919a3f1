export * from './github-repo.js'
export * from './open-promotion-pr.js'
export * from './plan-promotion.js'
