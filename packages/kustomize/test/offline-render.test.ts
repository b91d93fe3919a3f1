import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { findRenderer, remoteHost, render, RenderError, runRenderer } from '../src/index.js'

// Issue 20: a render of a pull request makes no network request. The closure check refuses remote
// entries first; these cases go around it to show that kustomize itself honours the offline
// environment runTool gives it (a proxy at a closed port on loopback, git limited to local files),
// so no request leaves the machine even for an entry the check missed.

function overlayWith(resource: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'offline-render-'))
  mkdirSync(join(dir, '.git'))
  writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n- ${resource}\n`)
  return dir
}

describe('offline renders', { timeout: 60_000 }, () => {
  test('an http(s) resource goes to the closed proxy, not to the network', async () => {
    const dir = overlayWith('https://example.invalid/deploy.yaml')
    const error = await runRenderer(findRenderer(), dir, [...findRenderer().args, dir], {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RenderError)
    expect((error as RenderError).stderr).toContain('proxyconnect tcp: dial tcp 127.0.0.1:9')
  })

  test('a git resource is refused by git itself (GIT_ALLOW_PROTOCOL=file)', async () => {
    const dir = overlayWith('https://example.invalid/org/repo//deploy?ref=v1')
    const error = await runRenderer(findRenderer(), dir, [...findRenderer().args, dir], {}).catch((e: unknown) => e)
    expect((error as RenderError).stderr).toMatch(/proxyconnect tcp|transport 'https' not allowed/)
  })

  test('render() refuses the remote entry before kustomize runs, at its line', async () => {
    const dir = overlayWith('github.com/org/repo//deploy?ref=v1')
    const error = await render(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RenderError)
    expect((error as RenderError).location).toMatchObject({ file: 'kustomization.yaml', line: 2 })
    expect((error as RenderError).message).toMatch(/is remote \(github\.com\).*kustomize\.remoteResources/)
  })

  test.each([
    ['https://example.com/x.yaml', 'example.com'],
    ['git::https://git.example.org/org/repo', 'git.example.org'],
    ['git@github.com:org/repo', 'github.com'],
    ['gh:org/repo', 'github.com'],
    ['github.com/org/repo//path?ref=v1', 'github.com'],
    ['../../base', undefined],
    ['deployment.yaml', undefined],
    ['configs.d/app.yaml', undefined]
  ])('remoteHost(%s) = %s', (entry, host) => {
    expect(remoteHost(entry)).toBe(host)
  })
})
