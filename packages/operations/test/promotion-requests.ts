import type { OpenPromotionPrRequest } from '../src/promotion/open-promotion-pr.js'

/**
 * Promotion requests against the stand-in of `serverUrl()`, each one a minute after the previous:
 * concurrent promotions are ordered by request time, so tests need a clock that only moves forward.
 */
export class PromotionRequests {
  private clock = Date.parse('2026-01-05T10:00:00Z')

  constructor(
    private readonly serverUrl: () => string,
    private readonly defaults: Partial<OpenPromotionPrRequest> = {}
  ) {}

  /** The time of the latest request, in ms. */
  get now(): number {
    return this.clock
  }

  next(overrides: Partial<OpenPromotionPrRequest>): OpenPromotionPrRequest {
    this.clock += 60_000
    return {
      mode: 'auto-deploy',
      app: 'myapp',
      allowSkip: false,
      keepTag: false,
      repository: { owner: 'org', repo: 'config-repo' },
      base: 'main',
      pinDigest: false,
      dryRun: false,
      draft: false,
      requestReviews: false,
      autoMerge: 'false',
      mergeMethod: 'SQUASH',
      headStatuses: [],
      releaseTagPrefix: 'v',
      links: [],
      serverUrl: this.serverUrl(),
      now: new Date(this.clock),
      maxRaceAttempts: 6,
      ...this.defaults,
      ...overrides
    }
  }
}
