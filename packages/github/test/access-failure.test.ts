import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { isAccessError, UserError } from '@gitops-actions/core'
import { startGitHubStandIn, type GitHubStandIn } from '../../../test/github-stand-in/index.ts'
import { standInOctokit } from '../../../test/github-stand-in/octokit.ts'
import { accessFailure, createGitHubClient } from '../src/index.js'

const SETTINGS = { token: '--token or GITHUB_TOKEN', apiUrl: '--api-url or GITHUB_API_URL' }

/** A port nothing listens on: one the OS gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** What the production client throws for a call; the calls here are ones that fail. */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error('the call succeeded')
}

// Real failures from the real client (retries off, so each fails at once), classified.
describe('accessFailure', () => {
  let hub: GitHubStandIn
  beforeAll(async () => {
    hub = await startGitHubStandIn({ repos: ['org/config-repo'], tokens: { ghp_good: 'octocat' } })
  })
  afterAll(async () => {
    expect(hub.violations).toEqual([])
    await hub.close()
  })

  test('a refused connection is a network failure naming the URL and the setting', async () => {
    const port = await closedPort()
    const client = createGitHubClient({ token: 't', baseUrl: `http://127.0.0.1:${port}`, retries: 0 })
    const failure = accessFailure(await failureOf(() => client.rest.repos.get({ owner: 'org', repo: 'x' })), SETTINGS)
    expect(isAccessError(failure)).toBe(true)
    expect(failure?.kind).toBe('network')
    expect(failure?.message).toBe(
      `could not reach http://127.0.0.1:${port}/repos/org/x (ECONNREFUSED): check the network connection and the API URL (--api-url or GITHUB_API_URL)`
    )
  })

  test.each([
    [
      'a wrong token (401)',
      'ghp_wrong',
      undefined,
      'auth',
      /^GitHub refused the token \(401 Bad credentials\): check --token or GITHUB_TOKEN$/
    ],
    [
      'a token without the permission (403)',
      'ghp_good',
      403,
      'auth',
      /^GitHub refused http:\/\/127\.0\.0\.1:\d+\/repos\/org\/config-repo \(403 Resource not accessible by integration\): the token \(--token or GITHUB_TOKEN\) lacks the permission this needs$/
    ],
    [
      'a server error after the retries (503)',
      'ghp_good',
      503,
      'network',
      /^GitHub answered http:\/\/127\.0\.0\.1:\d+\/repos\/org\/config-repo with 503 .*try again later, or check the API URL \(--api-url or GITHUB_API_URL\)$/
    ]
  ] as const)('%s', async (_name, token, status, kind, message) => {
    const fault = status ? hub.inject({ route: 'repos/get', fault: { kind: 'status', status } }) : undefined
    const client = standInOctokit(hub, { token, retries: 0 })
    const failure = accessFailure(await failureOf(() => client.rest.repos.get({ owner: 'org', repo: 'config-repo' })), SETTINGS)
    fault?.remove()
    expect(failure?.kind).toBe(kind)
    expect(failure?.message).toMatch(message)
    expect(failure?.message).not.toContain(token)
  })

  test('a 404, a user error and a bug are not access failures', async () => {
    const client = standInOctokit(hub, { token: 'ghp_good', retries: 0 })
    expect(accessFailure(await failureOf(() => client.rest.repos.get({ owner: 'org', repo: 'nope' })), SETTINGS)).toBeUndefined()
    expect(accessFailure(new UserError('gitops.yaml: bad'), SETTINGS)).toBeUndefined()
    expect(accessFailure(new TypeError("Cannot read properties of undefined (reading 'x')"), SETTINGS)).toBeUndefined()
  })
})
