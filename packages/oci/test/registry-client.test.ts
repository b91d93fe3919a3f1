import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isUserError, type Logger } from '@gitops-actions/core'
import { pushImage, startRegistry, tinyImage, type TestRegistry } from '../../../test/harness/oci-registry.js'
import { DOCKER_MANIFEST, OCI_MANIFEST } from '../src/media-types.js'
import { RegistryClient } from '../src/registry-client.js'

function recordingLogger(lines: string[]): Logger {
  return {
    debug: (m) => lines.push(m),
    info: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    group: (_t, work) => work()
  }
}

describe('RegistryClient against the real docker-registry, no auth', () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(() => registry?.stop())

  test.each([
    ['oci', OCI_MANIFEST],
    ['docker', DOCKER_MANIFEST]
  ] as const)('%s manifest: digest by HEAD, bytes by GET, re-tag keeps the digest', async (kind, mediaType) => {
    const image = tinyImage(`plain-${kind}`, kind)
    const pushed = await pushImage(registry.host, `org/${kind}app`, 'sha-abc123d', image)
    expect(pushed).toBe(image.digest)
    const client = new RegistryClient({ registry: registry.host })
    expect(await client.manifestDigest(`org/${kind}app`, 'sha-abc123d')).toBe(image.digest)
    const manifest = await client.getManifest(`org/${kind}app`, 'sha-abc123d')
    expect(manifest).toMatchObject({ digest: image.digest, mediaType })
    expect(manifest!.bytes.equals(image.manifest)).toBe(true)

    const first = await client.retag(`org/${kind}app`, 'sha-abc123d', `${kind}app-staging-abc123d`)
    expect(first).toEqual({ digest: image.digest, changed: true, previousDigest: undefined })
    expect(await client.manifestDigest(`org/${kind}app`, `${kind}app-staging-abc123d`)).toBe(image.digest)
    // Again: already there with the same digest, nothing written.
    const puts = client.requests.PUT ?? 0
    expect(await client.retag(`org/${kind}app`, 'sha-abc123d', `${kind}app-staging-abc123d`)).toMatchObject({ changed: false })
    expect(client.requests.PUT ?? 0).toBe(puts)
  })

  test('unknown tags and repositories are undefined, not errors', async () => {
    const client = new RegistryClient({ registry: registry.host })
    expect(await client.manifestDigest('org/nothing', 'v1.0.0')).toBeUndefined()
    expect(await client.getManifest('org/nothing', 'v1.0.0')).toBeUndefined()
  })

  test('a release tag that names another image is never moved', async () => {
    const a = tinyImage('release-a')
    const b = tinyImage('release-b')
    await pushImage(registry.host, 'org/rel', 'sha-aaaaaaa', a)
    await pushImage(registry.host, 'org/rel', 'sha-bbbbbbb', b)
    await pushImage(registry.host, 'org/rel', 'v1.0.0', a)
    const client = new RegistryClient({ registry: registry.host })
    const error = await client.retag('org/rel', 'sha-bbbbbbb', 'v1.0.0').catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(/v1\.0\.0 already exists with digest sha256:[0-9a-f]{64}, not sha256:/)
    expect(await client.manifestDigest('org/rel', 'v1.0.0')).toBe(a.digest)
    await expect(client.retag('org/rel', 'sha-missing', 'v2.0.0')).rejects.toThrow(/has no image org\/rel:sha-missing/)
  })

  test('an unreachable registry is a clear error', async () => {
    const client = new RegistryClient({ registry: '127.0.0.1:1', timeoutMs: 2000 })
    await expect(client.manifestDigest('org/x', 'v1')).rejects.toThrow(/Could not reach the registry at http:\/\/127\.0\.0\.1:1/)
  })
})

describe('RegistryClient against docker-registry with bearer-token auth (as ghcr.io)', () => {
  let registry: TestRegistry
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'token' })
  })
  afterAll(() => registry?.stop())

  test('401 + WWW-Authenticate → token endpoint with the credentials → push, digest, re-tag', async () => {
    const lines: string[] = []
    const client = new RegistryClient({ registry: registry.host, credentials: registry.credentials, logger: recordingLogger(lines) })
    const image = tinyImage('token')
    expect(await client.uploadBlob('org/secure', image.config)).toMatch(/^sha256:/)
    await client.uploadBlob('org/secure', image.layer)
    expect(await client.putManifest('org/secure', 'sha-1234567', image.manifest, image.mediaType)).toBe(image.digest)
    expect(await client.manifestDigest('org/secure', 'sha-1234567')).toBe(image.digest)
    expect(await client.retag('org/secure', 'sha-1234567', 'v1.2.3')).toMatchObject({ changed: true, digest: image.digest })
    expect(registry.tokenRequests.length).toBeGreaterThan(0)
    expect(registry.tokenRequests.every((r) => r.authorized)).toBe(true)
    // The scope is the one the registry's challenge names; docker-registry lists the actions in no fixed order.
    const scopes = registry.tokenRequests.map((r) =>
      (r.scope ?? '').replace(/:([a-z,]+)$/, (_, actions: string) => `:${actions.split(',').sort().join(',')}`)
    )
    expect(scopes).toEqual(expect.arrayContaining(['repository:org/secure:pull,push', 'repository:org/secure:pull']))
    // Tokens are cached per scope: far fewer token requests than registry requests.
    const registryRequests = Object.values(client.requests).reduce((a, b) => a + b, 0)
    expect(registry.tokenRequests.length).toBeLessThan(registryRequests / 2)
    // Nothing secret in what the client said.
    expect(lines.join('\n')).not.toContain(registry.credentials!.password)
    expect(lines.join('\n')).not.toMatch(/eyJ/)
  })

  test('anonymous access is refused by the token service with a clear error', async () => {
    const client = new RegistryClient({ registry: registry.host })
    const error = await client.manifestDigest('org/secure', 'sha-1234567').catch((e: unknown) => e)
    expect(isUserError(error)).toBe(true)
    expect((error as Error).message).toMatch(/refused anonymous access for repository:org\/secure:pull/)
  })

  test('wrong credentials: an error that names neither the password nor a token', async () => {
    const client = new RegistryClient({ registry: registry.host, credentials: { username: 'promoter', password: 'wrong-secret' } })
    const error = (await client.manifestDigest('org/secure', 'sha-1234567').catch((e: unknown) => e)) as Error
    expect(error.message).toMatch(/refused the credentials/)
    expect(error.message).not.toContain('wrong-secret')
  })
})
