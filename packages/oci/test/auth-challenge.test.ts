import { describe, expect, test } from 'vitest'
import { parseAuthChallenges } from '../src/auth-challenge.js'

describe('parseAuthChallenges', () => {
  test.each([
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/myapp:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:org/myapp:pull,push' } }]
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://auth.docker.io/token", service="registry.docker.io", Basic realm="x"',
      [
        { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } },
        { scheme: 'basic', params: { realm: 'x' } }
      ]
    ],
    ['Bearer realm=unquoted,error=invalid_token', [{ scheme: 'bearer', params: { realm: 'unquoted', error: 'invalid_token' } }]],
    ['Bearer realm="with \\"escaped\\" quote"', [{ scheme: 'bearer', params: { realm: 'with "escaped" quote' } }]],
    ['', []]
  ])('%s', (header, expected) => {
    expect(parseAuthChallenges(header)).toEqual(expected)
  })
})
