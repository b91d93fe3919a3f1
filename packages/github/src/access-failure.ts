import { AccessError, isUserError } from '@gitops-actions/core'
import { statusOf } from './client.js'

/** How the caller names the settings a user fixes: e.g. `--token or GITHUB_TOKEN`, `--api-url or GITHUB_API_URL`. */
export interface AccessSettings {
  token: string
  apiUrl: string
}

/** Node's codes for a connection that could not be made or was dropped. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT'
])

/** The first Node error code along an error's `cause` chain (fetch wraps the socket's error twice). */
function networkCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code
  }
  return undefined
}

/** Where an Octokit error's request went, without its query (which never holds the token, but may be long). */
function requestUrl(error: unknown): string | undefined {
  const url = (error as { request?: { url?: unknown } }).request?.url
  if (typeof url !== 'string') return undefined
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return undefined
  }
}

/**
 * An error from GitHub's API or the network as an AccessError naming the setting to fix, or
 * undefined when it is neither (a bug stays a bug). User errors pass through as they are.
 * 401 is the token; 403 its permission; a refused, dropped or unresolvable connection and
 * 5xx answers (after the client's retries) are the network or the server.
 */
export function accessFailure(error: unknown, settings: AccessSettings): AccessError | undefined {
  if (isUserError(error)) return undefined
  const code = networkCode(error)
  const url = requestUrl(error)
  const where = url ? ` ${url}` : ''
  if (code) {
    return new AccessError(
      'network',
      `could not reach${where || ' the server'} (${code}): check the network connection and the API URL (${settings.apiUrl})`
    )
  }
  const status = statusOf(error)
  const isHttp = (error as { name?: unknown })?.name === 'HttpError'
  if (!isHttp || status === undefined) return undefined
  // GitHub's own words (the error's message adds a link to the docs).
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data
  const said = typeof data?.message === 'string' ? data.message : (error as Error).message
  if (status === 401) return new AccessError('auth', `GitHub refused the token (401 ${said}): check ${settings.token}`)
  if (status === 403)
    return new AccessError('auth', `GitHub refused${where} (403 ${said}): the token (${settings.token}) lacks the permission this needs`)
  if (status >= 500)
    return new AccessError(
      'network',
      `GitHub answered${where} with ${status} (${said}) after retries: try again later, or check the API URL (${settings.apiUrl})`
    )
  return undefined
}
