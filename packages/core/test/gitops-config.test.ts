import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { environmentByName, loadGitopsConfig, parseGitopsConfig, UserError } from '../src/index.js'

function errorOf(fn: () => unknown): UserError {
  try {
    fn()
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('expected a UserError')
}

describe('gitops.yaml', () => {
  test('absent: the seed defaults', () => {
    const config = loadGitopsConfig(mkdtempSync(join(tmpdir(), 'cfg-')))
    expect(config.file).toBeUndefined()
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod'])
    expect(config.layout.overlay).toBe('apps/{app}/overlays/{env}')
    expect(environmentByName(config, 'prod').namespace).toBe('app-prod')
  })

  test('a custom chain keeps seed defaults for known names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    writeFileSync(
      join(dir, 'gitops.yaml'),
      'version: 1\nenvironments:\n  - name: dev\n  - name: qa\n    namespace: quality\n  - name: prod\n'
    )
    const config = loadGitopsConfig(dir)
    expect(config.file).toBe('gitops.yaml')
    expect(config.environments.map((e) => [e.name, e.namespace])).toEqual([
      ['dev', 'app-dev'],
      ['qa', 'quality'],
      ['prod', 'app-prod']
    ])
  })

  test.each([
    ['environments:\n  - name: dev\n    namspace: x\n', 3, /unknown key 'namspace' in environments.0. Valid keys are: name, namespace/],
    ['version: 2\n', 1, /version must be equal to one of the allowed values: 1/],
    ['environments:\n  - name: Dev\n', 2, /environments.0.name must match pattern/],
    ['environments:\n  - name: dev\n  - name: dev\n', 3, /environment 'dev' is listed twice/],
    ['layout:\n  overlay: overlays/{env}\n', 2, /layout.overlay must match pattern/],
    ['environments:\n  - name: dev\n    allowedTags: ["(unclosed"]\n', 3, /not a valid regular expression/],
    ['a: 1\na: 2\n', 2, /Duplicate key/],
    ['environments: [\n', 2, /Invalid YAML/]
  ])('%j is refused at its line', (text, line, message) => {
    const error = errorOf(() => parseGitopsConfig(text))
    expect(error.message).toMatch(message)
    expect(error.location).toMatchObject({ file: 'gitops.yaml', line })
  })

  test('an alias bomb is refused', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c]'
    ].join('\n')
    expect(errorOf(() => parseGitopsConfig(bomb)).message).toMatch(/alias bomb/)
  })

  test('unknown environment names the known ones', () => {
    expect(() => environmentByName(parseGitopsConfig(''), 'qa')).toThrow(/unknown environment 'qa'.*dev, staging, prod/)
  })
})
