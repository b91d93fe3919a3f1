import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { clusterVersion, environmentByName, loadGitopsConfig, matchesSchemaPath, parseGitopsConfig, UserError } from '../src/index.js'

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

  test('an overlay layout without {app} (one overlay per environment) is accepted; one without {env} is not', () => {
    expect(parseGitopsConfig('layout:\n  overlay: clusters/{env}\n').layout.overlay).toBe('clusters/{env}')
    const error = errorOf(() => parseGitopsConfig('layout:\n  overlay: clusters/prod\n'))
    expect(error.message).toBe("layout.overlay: 'clusters/prod' is not a path with {env} in it (e.g. apps/{app}/overlays/{env})")
    expect(error.location).toEqual(expect.objectContaining({ file: 'gitops.yaml', line: 2 }))
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
    [
      'environments:\n  - name: dev\n    namspace: x\n',
      3,
      /^environments\[0\]: unknown key 'namspace' \(did you mean 'namespace'\?\); valid keys: name, namespace,/
    ],
    // A block value starts on the line after its key: the unknown key is reported at its own line.
    ['environments:\n  - name: dev\n    tags:\n      allowed: [v1]\n', 3, /^environments\[0\]: unknown key 'tags'; valid keys: name,/],
    ['environments:\n  - name: dev\n    tags:\n    - v1\n', 3, /^environments\[0\]: unknown key 'tags'; valid keys: name,/],
    ['version: 2\n', 1, /^version: 2 is not one of 1$/],
    ['environments:\n  - name: Dev\n', 2, /^environments\[0\]\.name: 'Dev' is not a name of lowercase letters, digits and hyphens/],
    ['environments:\n  - name: dev\n  - name: dev\n', 3, /environment 'dev' is listed twice/],
    ['layout:\n  overlay: overlays/dev\n', 2, /^layout\.overlay: 'overlays\/dev' is not a path with \{env\} in it/],
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

describe("gitops.yaml: the clusters' Kubernetes version", () => {
  test('kubernetes.version is the default; environments[].kubernetesVersion overrides it; v and a patch release are accepted', () => {
    const config = parseGitopsConfig(
      'kubernetes:\n  version: "1.22"\nenvironments:\n  - name: dev\n    kubernetesVersion: "1.24"\n  - name: staging\n  - name: prod\n    kubernetesVersion: v1.26.3\n',
      'gitops.yml'
    )
    expect(config.kubernetes).toEqual({ version: 'v1.22' })
    expect(config.environments.map((e) => e.kubernetesVersion)).toEqual(['v1.24', undefined, 'v1.26'])
    expect(clusterVersion(config, 'dev')).toEqual({ version: 'v1.24', minor: 24, setBy: 'gitops.yml environments[dev].kubernetesVersion' })
    expect(clusterVersion(config, 'staging')).toEqual({ version: 'v1.22', minor: 22, setBy: 'gitops.yml kubernetes.version' })
    expect(clusterVersion(config, 'prod')).toMatchObject({ version: 'v1.26', minor: 26 })
    // Objects outside any environment (a cluster-wide Flux root), or of an environment gitops.yaml does not list.
    expect(clusterVersion(config, undefined)).toMatchObject({ version: 'v1.22' })
    expect(clusterVersion(config, 'qa')).toMatchObject({ version: 'v1.22' })
  })

  test('not set: no version anywhere (the removed-API rule keeps its default)', () => {
    const config = parseGitopsConfig('environments:\n  - name: dev\n')
    expect(config.kubernetes).toEqual({ version: undefined })
    expect(config.environments[0]).not.toHaveProperty('kubernetesVersion')
    expect(clusterVersion(config, 'dev')).toBeUndefined()
    expect(clusterVersion(parseGitopsConfig('environments:\n  - name: dev\n    kubernetesVersion: "1.30"\n'), 'dev')).toMatchObject({
      version: 'v1.30',
      minor: 30
    })
  })

  test.each([
    ['kubernetes:\n  version: 1.30\n', 2, /kubernetes.version: 1.30 is a YAML number \(1.3\): write the version quoted, "1.30"/],
    [
      'kubernetes:\n  version: "1.x"\n',
      2,
      /kubernetes.version: '1.x' is not a Kubernetes version: write the cluster's minor release, e.g. "1.29"/
    ],
    ['kubernetes:\n  version: "2.1"\n', 2, /'2.1' is not a Kubernetes version/],
    ['kubernetes:\n  version: ""\n', 2, /'' is not a Kubernetes version/],
    ['kubernetes:\n  versions: "1.29"\n', 2, /^kubernetes: unknown key 'versions' \(did you mean 'version'\?\); valid keys: version$/],
    [
      'environments:\n  - name: dev\n  - name: prod\n    namespace: p\n    kubernetesVersion: "latest"\n',
      5,
      /environments\[prod\].kubernetesVersion: 'latest' is not a Kubernetes version/
    ],
    ['environments:\n  - name: dev\n    kubernetesVersion: 1.29\n', 3, /environments\[dev\].kubernetesVersion: 1.29 is a YAML number/],
    [
      'environments:\n  - name: dev\n    kubernetesVersion: [1]\n',
      3,
      /^environments\[0\]\.kubernetesVersion: expected a string, a number or nothing, found a list$/
    ]
  ])('%j is refused at its line', (text, line, message) => {
    const error = errorOf(() => parseGitopsConfig(text))
    expect(error.message).toMatch(message)
    expect(error.location).toMatchObject({ file: 'gitops.yaml', line })
  })
})

describe("gitops.yaml: schemas of one's own custom resources", () => {
  test('CRD files and JSON schema directories are repo paths, kept with their lines', () => {
    const config = parseGitopsConfig(
      'schemas:\n  crds:\n    - platform/crds/*.yaml\n    - ./vendor/gateway/\n  jsonSchemas:\n    - schemas\n'
    )
    expect(config.schemas.crds).toEqual([
      { path: 'platform/crds/*.yaml', location: expect.objectContaining({ file: 'gitops.yaml', line: 3 }) },
      { path: 'vendor/gateway', location: expect.objectContaining({ line: 4 }) }
    ])
    expect(config.schemas.jsonSchemas.map((s) => s.path)).toEqual(['schemas'])
    expect(parseGitopsConfig('version: 1\n').schemas).toEqual({ crds: [], jsonSchemas: [] })
  })

  test.each([
    [
      'schemas:\n  crds:\n    - /etc/crds.yaml\n',
      "gitops.yaml: schemas.crds[0]: '/etc/crds.yaml' is an absolute path; give a path relative to the repository root",
      3
    ],
    [
      'schemas:\n  jsonSchemas:\n    - ok\n    - ../../schemas\n',
      "gitops.yaml: schemas.jsonSchemas[1]: '../../schemas' leads out of the repository",
      4
    ],
    ['schemas:\n  crd:\n    - crds\n', "schemas: unknown key 'crd' (did you mean 'crds'?); valid keys: crds, jsonSchemas", 2],
    ['schemas:\n  crds: crds/*.yaml\n', "schemas.crds: expected a list, found 'crds/*.yaml'", 2]
  ])('%j is refused at its line', (text, message, line) => {
    const error = errorOf(() => parseGitopsConfig(text))
    expect(error.message).toBe(message)
    expect(error.location).toMatchObject({ file: 'gitops.yaml', line })
  })

  test.each([
    ['crds/*.yaml', 'crds/a.yaml', true],
    ['crds/*.yaml', 'crds/sub/a.yaml', false],
    ['crds/**/*.yaml', 'crds/sub/deeper/a.yaml', true],
    ['crds/**/*.yaml', 'crds/a.yaml', true],
    ['crds', 'crds/sub/a.yaml', true],
    ['crds/a?.yml', 'crds/ab.yml', true],
    ['crds/a.yaml', 'crds/a.yaml', true],
    ['crds/a.yaml', 'crds/a.yaml.bak', false]
  ])('%s matches %s: %s', (pattern, path, matches) => {
    expect(matchesSchemaPath(pattern, path)).toBe(matches)
  })
})
