import { createHash } from 'node:crypto'
import { silentLogger, UserError, type Logger } from '@gitops-actions/core'
import { parseAuthChallenges } from './auth-challenge.js'
import { MANIFEST_ACCEPT } from './media-types.js'

/** Credentials for a registry. For ghcr.io: any user name and a token with `read:packages` / `write:packages`. */
export interface RegistryCredentials {
  username: string
  password: string
}

export interface RegistryClientOptions {
  /** Registry host with optional port: `ghcr.io`, `127.0.0.1:5000`. */
  registry: string
  credentials?: RegistryCredentials | undefined
  /**
   * Plain HTTP instead of HTTPS. Defaults to true only for loopback hosts (localhost, 127.0.0.1,
   * [::1]), as docker does; never for anything reachable over a network.
   */
  plainHttp?: boolean
  logger?: Logger
  /** For tests and proxies; the global fetch by default. */
  fetch?: typeof fetch
  /** Per-request time limit. */
  timeoutMs?: number
}

/** A manifest as the registry stores it: its exact bytes, so re-tagging keeps the digest. */
export interface ManifestData {
  digest: string
  mediaType: string
  bytes: Buffer
}

/** A registry answer that was not expected; the message never carries credentials. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError'
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code?: string
  ) {
    super(message)
  }
}

type Action = 'pull' | 'push'

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/

/**
 * A client of the OCI distribution API (what ghcr.io, Docker Hub, ECR and the reference registry
 * speak) for the few calls a promotion needs: a manifest's digest, its bytes, and a PUT of the
 * same bytes under another tag (a re-tag keeps the digest because the bytes are identical).
 *
 * Authentication follows the registry's lead: a request goes out anonymously or with a cached
 * token; a 401 names the scheme. `Bearer` sends us to the token endpoint (realm, service, scope)
 * with the credentials as Basic auth, as ghcr.io and Docker Hub expect; `Basic` sends the
 * credentials directly. Tokens are cached per scope. No credential or token is ever logged or
 * put in an error message.
 */
export class RegistryClient {
  readonly registry: string
  private readonly base: string
  private readonly credentials: RegistryCredentials | undefined
  private readonly logger: Logger
  private readonly fetch: typeof fetch
  private readonly timeoutMs: number
  private readonly tokens = new Map<string, string>()
  private basic = false
  /** Requests sent, by method; for the promotion's report and the benchmarks. */
  readonly requests: Record<string, number> = {}

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry.replace(/\/+$/, '')
    const plain = options.plainHttp ?? LOOPBACK.test(this.registry)
    this.base = `${plain ? 'http' : 'https'}://${this.registry}`
    this.credentials = options.credentials
    this.logger = options.logger ?? silentLogger
    this.fetch = options.fetch ?? fetch
    this.timeoutMs = options.timeoutMs ?? 30_000
  }

  /** The digest a tag (or digest) resolves to, by HEAD; undefined when the registry has no such manifest. */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const response = await this.send('HEAD', repository, `manifests/${reference}`, 'pull', { accept: MANIFEST_ACCEPT })
    if (response.status === 404) return undefined
    await this.expectOk(response, `HEAD ${repository}:${reference}`)
    const digest = response.headers.get('docker-content-digest')
    if (digest) return digest
    // Some registries omit the header on HEAD; the GET's body hashes to the same digest.
    return (await this.getManifest(repository, reference))?.digest
  }

  /** A manifest's exact bytes and media type; undefined when absent. */
  async getManifest(repository: string, reference: string): Promise<ManifestData | undefined> {
    const response = await this.send('GET', repository, `manifests/${reference}`, 'pull', { accept: MANIFEST_ACCEPT })
    if (response.status === 404) return undefined
    await this.expectOk(response, `GET ${repository}:${reference}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const computed = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const header = response.headers.get('docker-content-digest')
    if (header && header.startsWith('sha256:') && header !== computed) {
      throw new RegistryError(
        `${this.registry}/${repository}:${reference}: the manifest's bytes hash to ${computed}, not to ${header}`,
        response.status
      )
    }
    const mediaType = response.headers.get('content-type')?.split(';')[0]?.trim() || mediaTypeOf(bytes)
    return { digest: header ?? computed, mediaType, bytes }
  }

  /**
   * The labels of an image's configuration (`org.opencontainers.image.version`, …): the manifest,
   * for an index its first image's, then the config blob. Undefined when the registry has no such image.
   */
  async imageLabels(repository: string, reference: string): Promise<Record<string, string> | undefined> {
    let manifest = await this.getManifest(repository, reference)
    let parsed =
      manifest && (JSON.parse(manifest.bytes.toString('utf8')) as { manifests?: Array<{ digest: string }>; config?: { digest: string } })
    if (parsed?.manifests?.[0]) {
      manifest = await this.getManifest(repository, parsed.manifests[0].digest)
      parsed = manifest && JSON.parse(manifest.bytes.toString('utf8'))
    }
    if (!parsed?.config?.digest) return undefined
    const response = await this.send('GET', repository, `blobs/${parsed.config.digest}`, 'pull')
    if (response.status === 404) return undefined
    await this.expectOk(response, `GET ${repository} blob ${parsed.config.digest}`)
    const config = JSON.parse(Buffer.from(await response.arrayBuffer()).toString('utf8')) as {
      config?: { Labels?: Record<string, string> | null }
    }
    return config.config?.Labels ?? {}
  }

  /** Stores manifest bytes under a tag (or digest); returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const response = await this.send('PUT', repository, `manifests/${reference}`, 'push', { 'content-type': mediaType }, bytes)
    await this.expectOk(response, `PUT ${repository}:${reference}`)
    return response.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  }

  /**
   * Gives the manifest at `from` (a tag or digest) the tag `to`: a PUT of the same bytes, so the
   * digest is unchanged and nothing is pulled or pushed but the manifest. When `to` already points
   * at that digest nothing is written; when it points elsewhere the caller decides (`overwrite`).
   */
  async retag(
    repository: string,
    from: string,
    to: string,
    options: { overwrite?: boolean } = {}
  ): Promise<{ digest: string; changed: boolean; previousDigest: string | undefined }> {
    const manifest = await this.getManifest(repository, from)
    if (!manifest) throw new UserError(`The registry ${this.registry} has no image ${repository}:${from} to re-tag`)
    const existing = await this.manifestDigest(repository, to)
    if (existing === manifest.digest) return { digest: manifest.digest, changed: false, previousDigest: existing }
    if (existing !== undefined && !options.overwrite) {
      throw new UserError(
        `${this.registry}/${repository}:${to} already exists with digest ${existing}, not ${manifest.digest} (${from}). Tags that name a release must not move; promote the image that ${to} already names, or choose another tag.`
      )
    }
    const digest = await this.putManifest(repository, to, manifest.bytes, manifest.mediaType)
    if (digest !== manifest.digest) {
      throw new RegistryError(`${this.registry} stored ${repository}:${to} as ${digest}, not as ${manifest.digest}`, undefined)
    }
    this.logger.info(`Tagged ${this.registry}/${repository}@${manifest.digest} as ${to}`)
    return { digest, changed: true, previousDigest: existing }
  }

  /** Uploads a blob (monolithic: POST for an upload session, then PUT `?digest=`). Returns its digest. */
  async uploadBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    const head = await this.send('HEAD', repository, `blobs/${digest}`, 'pull')
    if (head.status === 200) return digest
    const start = await this.send('POST', repository, 'blobs/uploads/', 'push')
    await this.expectOk(start, `POST ${repository} blob upload`)
    const location = start.headers.get('location')
    if (!location) throw new RegistryError(`${this.registry} started a blob upload without a Location`, start.status)
    const url = new URL(location, this.base)
    url.searchParams.set('digest', digest)
    const put = await this.sendUrl('PUT', url, repository, 'push', { 'content-type': 'application/octet-stream' }, bytes)
    await this.expectOk(put, `PUT ${repository} blob ${digest}`)
    return digest
  }

  private send(method: string, repository: string, path: string, action: Action, headers: Record<string, string> = {}, body?: Buffer) {
    return this.sendUrl(method, new URL(`${this.base}/v2/${repository}/${path}`), repository, action, headers, body)
  }

  private async sendUrl(
    method: string,
    url: URL,
    repository: string,
    action: Action,
    headers: Record<string, string>,
    body?: Buffer
  ): Promise<Response> {
    const scope = `repository:${repository}:${action === 'push' ? 'pull,push' : 'pull'}`
    let response = await this.request(method, url, headers, body, this.authorization(scope))
    if (response.status !== 401) return response
    await response.body?.cancel()
    const authorization = await this.authenticate(response.headers.get('www-authenticate') ?? '', scope)
    response = await this.request(method, url, headers, body, authorization)
    if (response.status === 401) {
      await response.body?.cancel()
      throw new UserError(
        `The registry ${this.registry} refused the credentials for ${repository} (${action}). For ghcr.io give a token with ${action === 'push' ? 'write:packages' : 'read:packages'} (or 'packages: write' for GITHUB_TOKEN).`
      )
    }
    return response
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope)
    if (token) return `Bearer ${token}`
    if (this.basic && this.credentials) return basicAuth(this.credentials)
    return undefined
  }

  private async authenticate(header: string, scope: string): Promise<string> {
    const challenges = parseAuthChallenges(header)
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (bearer?.params.realm) {
      const token = await this.fetchToken(bearer.params.realm, bearer.params.service, bearer.params.scope || scope)
      this.tokens.set(scope, token)
      return `Bearer ${token}`
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!this.credentials) throw new UserError(`The registry ${this.registry} requires credentials (Basic auth); none were given`)
      this.basic = true
      return basicAuth(this.credentials)
    }
    throw new RegistryError(`The registry ${this.registry} answered 401 without a usable WWW-Authenticate challenge`, 401)
  }

  private async fetchToken(realm: string, service: string | undefined, scope: string): Promise<string> {
    const url = new URL(realm)
    if (service) url.searchParams.set('service', service)
    url.searchParams.set('scope', scope)
    const headers: Record<string, string> = {}
    if (this.credentials) headers.authorization = basicAuth(this.credentials)
    this.logger.debug(`Requesting a registry token from ${url.origin}${url.pathname} for ${scope}`)
    const response = await this.request('GET', url, headers, undefined, headers.authorization)
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw new UserError(
        `The token service of ${this.registry} (${url.host}) refused ${this.credentials ? 'the credentials' : 'anonymous access'} for ${scope}`
      )
    }
    await this.expectOk(response, `token for ${scope}`)
    const body = (await response.json()) as { token?: string; access_token?: string }
    const token = body.token ?? body.access_token
    if (!token) throw new RegistryError(`The token service of ${this.registry} answered without a token`, response.status)
    return token
  }

  private async request(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
    authorization: string | undefined
  ) {
    this.requests[method] = (this.requests[method] ?? 0) + 1
    const all: Record<string, string> = { 'user-agent': 'gitops-actions', ...headers }
    if (authorization) all.authorization = authorization
    else delete all.authorization
    try {
      return await this.fetch(url, {
        method,
        headers: all,
        body: body === undefined ? null : new Uint8Array(body),
        redirect: 'follow',
        signal: AbortSignal.timeout(this.timeoutMs)
      })
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message
      throw new RegistryError(`Could not reach the registry at ${url.origin} (${method} ${url.pathname}): ${cause}`, undefined)
    }
  }

  private async expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return
    let detail = ''
    let code: string | undefined
    if (response.status !== 204 && response.headers.get('content-type')?.includes('json')) {
      const body = (await response.json().catch(() => undefined)) as { errors?: Array<{ code?: string; message?: string }> } | undefined
      const first = body?.errors?.[0]
      code = first?.code
      if (first) detail = `: ${first.code ?? ''} ${first.message ?? ''}`.trimEnd()
    } else {
      await response.body?.cancel()
    }
    throw new RegistryError(`${this.registry}: ${what} answered ${response.status}${detail}`, response.status, code)
  }
}

function basicAuth(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string }
    if (parsed.mediaType) return parsed.mediaType
  } catch {
    // not JSON: fall through
  }
  throw new RegistryError('The registry returned a manifest without a media type', undefined)
}
