import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash, createPrivateKey, randomUUID, sign } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Debian's docker-registry (the reference OCI registry, distribution 2.8), started on 127.0.0.1
 * with a temp storage dir and a free port. With `auth: 'token'` it is set up the way ghcr.io and
 * Docker Hub work: every request without a token gets 401 + `WWW-Authenticate: Bearer realm=…`,
 * and a token service run here issues RS256 JWTs (x5c-signed by a throw-away certificate) to the
 * one user it knows.
 */
export interface TestRegistry {
  /** host:port */
  host: string
  /** The token service's user, when auth is on. */
  credentials: { username: string; password: string } | undefined
  /** Token requests the token service answered (granted or refused). */
  tokenRequests: Array<{ scope: string | null; authorized: boolean }>
  stop(): Promise<void>
}

export const REGISTRY_BINARY = process.env.DOCKER_REGISTRY_BIN ?? '/usr/bin/docker-registry'

export async function startRegistry(options: { auth?: 'none' | 'token' } = {}): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} is missing: apt-get install docker-registry (.ci/run does)`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'oci-registry-'))
  const port = await freePort()
  const tokenRequests: TestRegistry['tokenRequests'] = []
  let tokenServer: Server | undefined
  let credentials: TestRegistry['credentials']
  let authSection = ''
  if (options.auth === 'token') {
    credentials = { username: 'promoter', password: `pw-${randomUUID()}` }
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'token.key'),
        '-out',
        join(dir, 'token.crt'),
        '-days',
        '2',
        '-subj',
        '/CN=test-token-issuer'
      ],
      { stdio: 'ignore' }
    )
    const key = createPrivateKey(readFileSync(join(dir, 'token.key')))
    const certDer = pemToDer(readFileSync(join(dir, 'token.crt'), 'utf8'))
    const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    tokenServer = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const scope = url.searchParams.get('scope')
      const authorized = request.headers.authorization === expected
      tokenRequests.push({ scope, authorized })
      if (!authorized) {
        response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' })
        response.end(JSON.stringify({ details: 'bad credentials' }))
        return
      }
      const access = (scope ?? '')
        .split(' ')
        .filter(Boolean)
        .map((s) => {
          const [type, name, actions] = s.split(':')
          return { type, name, actions: (actions ?? '').split(',') }
        })
      const now = Math.floor(Date.now() / 1000)
      const token = jwt(
        { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] },
        {
          iss: 'test-issuer',
          sub: credentials!.username,
          aud: 'test-registry',
          exp: now + 300,
          nbf: now - 10,
          iat: now,
          jti: randomUUID(),
          access
        },
        key
      )
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ token, expires_in: 300 }))
    })
    await new Promise<void>((done) => tokenServer!.listen(0, '127.0.0.1', done))
    const tokenPort = (tokenServer.address() as { port: number }).port
    authSection = [
      'auth:',
      '  token:',
      `    realm: http://127.0.0.1:${tokenPort}/token`,
      '    service: test-registry',
      '    issuer: test-issuer',
      `    rootcertbundle: ${join(dir, 'token.crt')}`
    ].join('\n')
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    authSection
  ].join('\n')
  writeFileSync(join(dir, 'config.yml'), config + '\n')
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (chunk) => (log = (log + chunk.toString()).slice(-4000)))
  const host = `127.0.0.1:${port}`
  await waitUntilUp(host, child, () => log)
  return {
    host,
    credentials,
    tokenRequests,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)))
      if (tokenServer) await new Promise((done) => tokenServer!.close(done))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

async function waitUntilUp(host: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log()}`)
    try {
      const response = await fetch(`http://${host}/v2/`)
      await response.body?.cancel()
      if (response.status === 200 || response.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`docker-registry did not answer on ${host} within 15 s:\n${log()}`)
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createNetServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
  })
}

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

function jwt(header: object, claims: object, key: ReturnType<typeof createPrivateKey>): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`
}

/** A tiny but valid image: one config blob, one layer blob, an OCI (or Docker) manifest. */
export function tinyImage(seed: string, mediaType: 'oci' | 'docker' = 'oci', labels: Record<string, string> = {}) {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { seed, ...labels } },
      rootfs: { type: 'layers', diff_ids: [] }
    })
  )
  const layer = Buffer.from(`layer for ${seed}\n`)
  const descriptor = (type: string, bytes: Buffer) => ({
    mediaType: type,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length
  })
  const manifest =
    mediaType === 'oci'
      ? {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: descriptor('application/vnd.oci.image.config.v1+json', config),
          layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer)]
        }
      : {
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: descriptor('application/vnd.docker.container.image.v1+json', config),
          layers: [descriptor('application/vnd.docker.image.rootfs.diff.tar.gzip', layer)]
        }
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3))
  return {
    config,
    layer,
    manifest: bytes,
    mediaType: manifest.mediaType,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`
  }
}

/**
 * Pushes an image with plain fetch (no client under test involved): each blob by POST then
 * PUT `?digest=`, then the manifest under `tag`. Only for a registry without auth.
 */
export async function pushImage(host: string, repository: string, tag: string, image: ReturnType<typeof tinyImage>): Promise<string> {
  for (const blob of [image.config, image.layer]) {
    const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
    const start = await fetch(`http://${host}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`)
    const location = new URL(start.headers.get('location')!, `http://${host}`)
    location.searchParams.set('digest', digest)
    const put = await fetch(location, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(blob)
    })
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`)
  }
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': image.mediaType },
    body: new Uint8Array(image.manifest)
  })
  if (response.status !== 201) throw new Error(`manifest: ${response.status} ${await response.text()}`)
  return response.headers.get('docker-content-digest')!
}
