import { UserError } from '../errors.js'
import type { Logger } from '../logger.js'

/** Thrown by an attempt when another writer moved the ref in between: read again, apply again. */
export class RefRaceError extends Error {
  override readonly name = 'RefRaceError'
}

/**
 * Runs `attempt` until it completes without losing a race on a ref, at most `maxAttempts` times.
 * Each attempt must read the current state itself, so a retry re-applies the change on top of
 * what the other writer left instead of overwriting it.
 */
export async function retryRefRaces<T>(
  what: string,
  attempt: (n: number) => Promise<T>,
  options: { maxAttempts?: number; logger?: Logger; delayMs?: (n: number) => number } = {}
): Promise<T> {
  const max = options.maxAttempts ?? 5
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (!(error instanceof RefRaceError)) throw error
      if (n >= max) {
        throw new UserError(
          `${what}: another writer changed the branch ${max} times while this run was updating it (${error.message}); run the promotion again`
        )
      }
      options.logger?.info(`${what}: ${error.message}; reading the branch again (attempt ${n + 1} of ${max})`)
      const delay = options.delayMs ? options.delayMs(n) : Math.min(2000, 100 * 2 ** (n - 1)) * (0.5 + Math.random())
      if (delay > 0) await new Promise((done) => setTimeout(done, delay))
    }
  }
}
