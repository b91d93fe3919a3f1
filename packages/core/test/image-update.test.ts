import { describe, expect, test } from 'vitest'
import {
  checkEnvironmentTag,
  checkImageChange,
  defaultGitopsConfig,
  formatScalar,
  MemoryRepoReader,
  needsQuotes,
  parseGitopsConfig,
  parseImageChangeLines,
  planImageUpdate,
  unifiedDiff,
  UserError,
  type ImageChange,
  type ImageUpdatePlan
} from '../src/index.js'
import { Scalar } from 'yaml'
import { rejectionOf } from '../../../test/harness/file-snapshot.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const DIGEST2 = `sha256:${'b'.repeat(64)}`

/** The example repo's dev overlay, as in examples/config-repo. */
const DEV_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: app-dev

resources:
- ../../base

patches:
- path: deployment-patch.yaml
- path: configmap-patch.yaml

images:
- name: myapp
  newName: ghcr.io/org/myapp
  newTag: "sha-abc123d"  # Auto-updated by CI
`
const PATCH = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
spec:
  template:
    spec:
      containers:
      - name: myapp
        image: ghcr.io/org/myapp:v1.2.3 # the design's promotions sed this line
      initContainers:
      - name: migrate
        image: 'ghcr.io/org/myapp:v1.2.3'
      - name: other
        image: busybox:1.36
`

function repo(files: Record<string, string>): MemoryRepoReader {
  return new MemoryRepoReader(files)
}

function dev(kustomization = DEV_KUSTOMIZATION, extra: Record<string, string> = {}): MemoryRepoReader {
  return repo({
    'apps/myapp/overlays/dev/kustomization.yaml': kustomization,
    'apps/myapp/overlays/dev/deployment-patch.yaml': 'kind: Deployment\nmetadata:\n  name: myapp\n',
    'apps/myapp/overlays/dev/configmap-patch.yaml': 'kind: ConfigMap\nmetadata:\n  name: myapp-config\n',
    ...extra
  })
}

async function plan(
  reader: MemoryRepoReader,
  change: Omit<ImageChange, 'image'> & { image?: string },
  overlays = ['apps/myapp/overlays/dev']
) {
  return planImageUpdate(reader, { overlays, changes: [{ image: 'myapp', ...change }] })
}

function after(result: ImageUpdatePlan, path: string): string {
  const edit = result.edits.find((e) => e.path === path)
  if (!edit) throw new Error(`${path} was not edited`)
  return edit.after
}

describe('planImageUpdate: the images entry', () => {
  test('a new tag changes only the value: comment, quotes, key order and everything else stay', async () => {
    const result = await plan(dev(), { tag: 'sha-def4567' })
    expect(result.changed).toBe(true)
    expect(result.previousTag).toBe('sha-abc123d')
    expect(result.edits).toHaveLength(1)
    expect(after(result, 'apps/myapp/overlays/dev/kustomization.yaml')).toBe(
      DEV_KUSTOMIZATION.replace('newTag: "sha-abc123d"  # Auto-updated by CI', 'newTag: "sha-def4567"  # Auto-updated by CI')
    )
    expect(result.changes).toEqual([
      {
        overlay: 'apps/myapp/overlays/dev',
        file: 'apps/myapp/overlays/dev/kustomization.yaml',
        line: 16,
        image: 'myapp',
        kind: 'images',
        field: 'newTag',
        before: 'sha-abc123d',
        after: 'sha-def4567'
      }
    ])
    expect(result.targets[0]).toMatchObject({ environment: 'dev', app: 'myapp', previousName: 'ghcr.io/org/myapp', added: false })
    expect(unifiedDiff(result.edits)).toBe(
      [
        '--- a/apps/myapp/overlays/dev/kustomization.yaml',
        '+++ b/apps/myapp/overlays/dev/kustomization.yaml',
        '@@ -13,4 +13,4 @@',
        ' images:',
        ' - name: myapp',
        '   newName: ghcr.io/org/myapp',
        '-  newTag: "sha-abc123d"  # Auto-updated by CI',
        '+  newTag: "sha-def4567"  # Auto-updated by CI',
        ''
      ].join('\n')
    )
  })

  test('the full registry path finds the entry through its newName', async () => {
    const result = await plan(dev(), { image: 'ghcr.io/org/myapp', tag: 'sha-def4567' })
    expect(after(result, 'apps/myapp/overlays/dev/kustomization.yaml')).toContain('newTag: "sha-def4567"  # Auto-updated by CI')
  })

  test('the same tag again: no edit, changed=false (idempotent)', async () => {
    const result = await plan(dev(), { tag: 'sha-abc123d' })
    expect(result).toMatchObject({ changed: false, edits: [], changes: [], previousTag: 'sha-abc123d' })
  })

  const withDigest = DEV_KUSTOMIZATION.replace('# Auto-updated by CI\n', `# Auto-updated by CI\n  digest: ${DIGEST}\n`)
  test.each([
    ['a tag alone drops the digest', withDigest, { tag: 'sha-def4567' }, ['  newTag: "sha-def4567"  # Auto-updated by CI'], ['digest:']],
    ['a digest alone drops the tag', withDigest, { digest: DIGEST2 }, [`  digest: ${DIGEST2}`], ['newTag']],
    [
      'both give tag@digest (digest added after the last key)',
      DEV_KUSTOMIZATION,
      { tag: 'sha-def4567', digest: DIGEST },
      ['  newTag: "sha-def4567"  # Auto-updated by CI\n  digest: ' + DIGEST + '\n'],
      []
    ],
    ['newName is kept without new-name', DEV_KUSTOMIZATION, { tag: 'sha-def4567' }, ['  newName: ghcr.io/org/myapp\n'], []],
    [
      'new-name replaces newName',
      DEV_KUSTOMIZATION,
      { tag: 'sha-def4567', newName: 'registry.example.com/org/myapp' },
      ['  newName: registry.example.com/org/myapp\n'],
      ['ghcr.io']
    ]
  ])('%s (kustomize edit set image semantics)', async (_name, kustomization, change, contains, absent) => {
    const result = await plan(dev(kustomization), change)
    const text = after(result, 'apps/myapp/overlays/dev/kustomization.yaml')
    for (const part of contains) expect(text).toContain(part)
    for (const part of absent) expect(text).not.toContain(part)
    expect(text.startsWith(DEV_KUSTOMIZATION.slice(0, DEV_KUSTOMIZATION.indexOf('images:')))).toBe(true)
  })

  test.each([
    ['plain stays plain', 'newTag: v1', 'v2', 'newTag: v2'],
    ['single quotes stay single', "newTag: 'v1'", 'v2', "newTag: 'v2'"],
    ['a numeric-looking tag is quoted', 'newTag: v1', '1.10', 'newTag: "1.10"'],
    ['an octal-looking tag is quoted', 'newTag: v1', '0755', 'newTag: "0755"'],
    ['a plain number already there gets quoted even when equal', 'newTag: 1.10', '1.10', 'newTag: "1.10"']
  ])('quoting: %s', async (_name, line, tag, expected) => {
    const kustomization = `resources:\n- ../../base\nimages:\n- name: myapp\n  ${line}\n`
    const result = await planImageUpdate(dev(kustomization), {
      overlays: ['apps/myapp/overlays/dev'],
      changes: [{ image: 'myapp', tag }],
      environment: undefined,
      config: parseGitopsConfig('environments:\n  - name: dev\n    allowedTags: [".*"]\n')
    })
    expect(after(result, 'apps/myapp/overlays/dev/kustomization.yaml')).toBe(
      `resources:\n- ../../base\nimages:\n- name: myapp\n  ${expected}\n`
    )
  })
})

describe('planImageUpdate: literal references and setter markers', () => {
  const PROD = `resources:
- ../../base
patches:
- path: deployment-patch.yaml
images:
- name: myapp
  newName: ghcr.io/org/myapp
  newTag: "v1.2.3"  # Manually updated via PR
`
  test('the seed prod promotion: kustomization and deployment-patch.yaml literals change together', async () => {
    const reader = repo({ 'apps/myapp/overlays/prod/kustomization.yaml': PROD, 'apps/myapp/overlays/prod/deployment-patch.yaml': PATCH })
    const result = await plan(reader, { tag: 'v1.3.0' }, ['apps/myapp/overlays/prod'])
    expect(after(result, 'apps/myapp/overlays/prod/deployment-patch.yaml')).toBe(
      PATCH.replace('image: ghcr.io/org/myapp:v1.2.3 #', 'image: ghcr.io/org/myapp:v1.3.0 #').replace(
        "image: 'ghcr.io/org/myapp:v1.2.3'",
        "image: 'ghcr.io/org/myapp:v1.3.0'"
      )
    )
    expect(result.changes.map((c) => [c.kind, c.file.split('/').pop(), c.line, c.before, c.after])).toEqual([
      ['images', 'kustomization.yaml', 8, 'v1.2.3', 'v1.3.0'],
      ['patch', 'deployment-patch.yaml', 10, 'ghcr.io/org/myapp:v1.2.3', 'ghcr.io/org/myapp:v1.3.0'],
      ['patch', 'deployment-patch.yaml', 13, 'ghcr.io/org/myapp:v1.2.3', 'ghcr.io/org/myapp:v1.3.0']
    ])
  })

  test('a digest on a literal: tag@digest, and busybox untouched', async () => {
    const reader = repo({ 'apps/myapp/overlays/prod/kustomization.yaml': PROD, 'apps/myapp/overlays/prod/deployment-patch.yaml': PATCH })
    const result = await plan(reader, { tag: 'v1.3.0', digest: DIGEST }, ['apps/myapp/overlays/prod'])
    const text = after(result, 'apps/myapp/overlays/prod/deployment-patch.yaml')
    expect(text).toContain(`image: ghcr.io/org/myapp:v1.3.0@${DIGEST} #`)
    expect(text).toContain('image: busybox:1.36')
  })

  test('a JSON 6902 patch value for /image', async () => {
    const kustomization = `resources:\n- ../../base\npatches:\n- path: image.yaml\n  target:\n    kind: Deployment\n`
    const json = `- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: ghcr.io/org/myapp:v1.2.3\n`
    const reader = repo({ 'o/kustomization.yaml': kustomization, 'o/image.yaml': json })
    const result = await plan(reader, { image: 'ghcr.io/org/myapp', tag: 'v2.0.0' }, ['o'])
    expect(after(result, 'o/image.yaml')).toBe(json.replace('v1.2.3', 'v2.0.0'))
    expect(result.targets[0]!.added).toBe(false)
  })

  test('a file the kustomization does not reference is not edited for literals', async () => {
    const reader = repo({ 'o/kustomization.yaml': PROD, 'o/deployment-patch.yaml': 'kind: Deployment\n', 'o/unused.yaml': PATCH })
    const result = await plan(reader, { tag: 'v1.3.0' }, ['o'])
    expect(result.edits.map((e) => e.path)).toEqual(['o/kustomization.yaml'])
  })

  test('Flux setter markers: full reference, :tag and :name, in any YAML of the overlay', async () => {
    const values = `image:
  repository: ghcr.io/org/myapp # {"$imagepolicy": "flux-system:myapp:name"}
  tag: sha-abc123d # {"$imagepolicy": "flux-system:myapp:tag"}
other:
  repository: ghcr.io/org/other # {"$imagepolicy": "flux-system:other:name"}
  tag: sha-abc123d # {"$imagepolicy": "flux-system:other:tag"}
`
    const deploy = `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: sidecar
        image: "ghcr.io/org/myapp:sha-abc123d" # {"$imagepolicy": "flux-system:myapp"}
`
    const reader = repo({
      'o/kustomization.yaml':
        'resources:\n- ../../base\n- deploy.yaml\nconfigMapGenerator:\n- name: values\n  files:\n  - values/values.yaml\n',
      'o/deploy.yaml': deploy,
      'o/values/values.yaml': values
    })
    const result = await plan(reader, { image: 'ghcr.io/org/myapp', tag: 'sha-def4567' }, ['o'])
    expect(after(result, 'o/values/values.yaml')).toBe(
      values.replace(
        'tag: sha-abc123d # {"$imagepolicy": "flux-system:myapp:tag"}',
        'tag: sha-def4567 # {"$imagepolicy": "flux-system:myapp:tag"}'
      )
    )
    // The container literal is a literal and a full-reference setter at once: changed once, quotes kept.
    expect(after(result, 'o/deploy.yaml')).toContain('image: "ghcr.io/org/myapp:sha-def4567" # {"$imagepolicy": "flux-system:myapp"}')
    expect(result.changes.filter((c) => c.kind === 'setter').map((c) => c.field)).toEqual(['flux-system:myapp:tag'])

    const renamed = await plan(reader, { image: 'ghcr.io/org/myapp', tag: 'sha-def4567', newName: 'ghcr.io/org/myapp2' }, ['o'])
    expect(after(renamed, 'o/values/values.yaml')).toContain('repository: ghcr.io/org/myapp2 # {"$imagepolicy": "flux-system:myapp:name"}')
    expect(after(renamed, 'o/values/values.yaml')).toContain('repository: ghcr.io/org/other #')
  })

  test('a setter marker on newTag in the images entry is kept', async () => {
    const kustomization = `images:\n- name: myapp\n  newTag: sha-abc123d # {"$imagepolicy": "flux-system:myapp:tag"}\n`
    const result = await plan(repo({ 'o/kustomization.yaml': kustomization }), { tag: 'sha-def4567' }, ['o'])
    expect(after(result, 'o/kustomization.yaml')).toBe(kustomization.replace('sha-abc123d', 'sha-def4567'))
    expect(result.changes).toHaveLength(1)
  })
})

describe('planImageUpdate: a missing entry is added', () => {
  test.each([
    [
      'after the last images item',
      'resources:\n- ../../base\nimages:\n- name: other\n  newTag: "1"\n',
      'resources:\n- ../../base\nimages:\n- name: other\n  newTag: "1"\n- name: myapp\n  newTag: "sha-def4567"\n'
    ],
    [
      "as a new images list, in the file's indentation",
      'resources:\n  - ../../base\n',
      'resources:\n  - ../../base\n\nimages:\n  - name: myapp\n    newTag: "sha-def4567"\n'
    ],
    [
      'in place of an empty images list',
      'images: []\nresources:\n- ../../base\n',
      'images:\n- name: myapp\n  newTag: "sha-def4567"\nresources:\n- ../../base\n'
    ],
    [
      'to a file without a final newline (which stays without one)',
      'resources:\n- ../../base',
      'resources:\n- ../../base\n\nimages:\n- name: myapp\n  newTag: "sha-def4567"'
    ]
  ])('%s', async (_name, kustomization, expected) => {
    const result = await plan(repo({ 'apps/myapp/overlays/dev/kustomization.yaml': kustomization }), { tag: 'sha-def4567' })
    expect(after(result, 'apps/myapp/overlays/dev/kustomization.yaml')).toBe(expected)
    expect(result.targets[0]!.added).toBe(true)
    expect(result.changes[0]).toMatchObject({ field: 'images[]', before: '', after: 'myapp:sha-def4567' })
  })

  test('addMissing: false makes a missing reference an error (for callers that cannot render)', async () => {
    const error = await rejectionOf(
      planImageUpdate(repo({ 'o/kustomization.yaml': 'resources: []\n' }), {
        overlays: ['o'],
        changes: [{ image: 'myapp', tag: 'v1' }],
        addMissing: false
      }),
      UserError
    )
    expect(error.message).toMatch(/Overlay 'o' has no reference to image 'myapp'/)
  })
})

describe('planImageUpdate: several images and overlays', () => {
  test('each overlay and image is planned; files collect all edits', async () => {
    const two = `images:\n- name: api\n  newTag: a1 # api\n- name: worker\n  newTag: w1 # worker\n`
    const reader = repo({ 'apps/x/overlays/dev/kustomization.yaml': two, 'apps/y/overlays/dev/kustomization.yaml': two })
    const result = await planImageUpdate(reader, {
      overlays: ['apps/x/overlays/dev', 'apps/y/overlays/dev/'],
      changes: parseImageChangeLines('api=sha-1111111\n# comment\nworker=sha-2222222@' + DIGEST)
    })
    expect(result.edits).toHaveLength(2)
    for (const edit of result.edits) {
      expect(edit.after).toBe(
        `images:\n- name: api\n  newTag: sha-1111111 # api\n- name: worker\n  newTag: sha-2222222 # worker\n  digest: ${DIGEST}\n`
      )
    }
    expect(result.targets.map((t) => [t.overlay, t.image, t.previousTag, t.environment])).toEqual([
      ['apps/x/overlays/dev', 'api', 'a1', 'dev'],
      ['apps/x/overlays/dev', 'worker', 'w1', 'dev'],
      ['apps/y/overlays/dev', 'api', 'a1', 'dev'],
      ['apps/y/overlays/dev', 'worker', 'w1', 'dev']
    ])
  })
})

describe('planImageUpdate: refusals, each naming the input or file:line', () => {
  test.each<[string, Record<string, string>, Partial<ImageChange> & { overlays?: string[]; environment?: string }, RegExp, string?]>([
    ['invalid tag', {}, { tag: 'v1/2' }, /Input 'tag': the tag may only contain/],
    ['empty tag and no digest', {}, { tag: undefined }, /give a tag, a digest or both/],
    ['invalid digest', {}, { digest: 'sha256:xyz' }, /'sha256:xyz' is not a valid digest/],
    ['invalid image name', {}, { image: 'My_App' }, /'My_App' is not a valid repository path component/],
    ['latest, anywhere', {}, { tag: 'latest' }, /'latest' is a mutable tag, never deployed to dev/],
    [
      'a dev tag in prod',
      {},
      { tag: 'sha-abc1234', overlays: ['apps/myapp/overlays/prod'] },
      /does not match the tags allowed in prod \(allowedTags: \^v/
    ],
    ['an unknown environment', {}, { tag: 'v1.0.0', environment: 'qa' }, /^'environment': unknown environment 'qa'/],
    [
      'an unknown overlay',
      {},
      { tag: 'sha-abc1234', overlays: ['apps/nope/overlays/dev'] },
      /Overlay 'apps\/nope\/overlays\/dev' does not exist/
    ],
    [
      'an overlay without kustomization',
      { 'apps/myapp/overlays/qa/x.yaml': 'a: 1\n' },
      { tag: 'sha-abc1234', overlays: ['apps/myapp/overlays/qa'] },
      /has no kustomization.yaml/
    ],
    [
      'a path leaving the repo',
      {},
      { tag: 'sha-abc1234', overlays: ['../other/overlays/dev'] },
      /^'overlays': '..\/other\/overlays\/dev' leads out of the repository/
    ],
    ['an absolute path', {}, { tag: 'sha-abc1234', overlays: ['/etc'] }, /is an absolute path/],
    [
      'malformed kustomization.yaml',
      { 'apps/myapp/overlays/dev/kustomization.yaml': 'images:\n- name: myapp\n  newTag: a: b\nresources: []\n' },
      { tag: 'sha-abc1234' },
      /Invalid YAML .* in apps\/myapp\/overlays\/dev\/kustomization.yaml/,
      'apps/myapp/overlays/dev/kustomization.yaml:3'
    ],
    [
      'duplicate keys',
      { 'apps/myapp/overlays/dev/kustomization.yaml': 'images:\n- name: myapp\n  newTag: a\n  newTag: b\n' },
      { tag: 'sha-abc1234' },
      /Duplicate key/,
      'apps/myapp/overlays/dev/kustomization.yaml:4'
    ],
    [
      'a YAML alias bomb in a patch',
      {
        'apps/myapp/overlays/dev/deployment-patch.yaml':
          'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
      },
      { tag: 'sha-abc1234' },
      /refusing a possible alias bomb/
    ],
    [
      'images not a list',
      { 'apps/myapp/overlays/dev/kustomization.yaml': 'images: myapp\n' },
      { tag: 'sha-abc1234' },
      /'images' must be a list/
    ]
  ])('%s', async (_name, files, change, message, location) => {
    const { overlays = ['apps/myapp/overlays/dev'], environment, ...rest } = change
    const reader = dev(DEV_KUSTOMIZATION, files)
    const error = await rejectionOf(
      planImageUpdate(reader, { overlays, environment, changes: [{ image: 'myapp', source: "Input 'tag'", ...rest } as ImageChange] }),
      UserError
    )
    expect(error.message).toMatch(message)
    if (location) expect(`${error.location?.file}:${error.location?.line}`).toBe(location)
  })

  test('images lines that are not name=tag', () => {
    expect(() => parseImageChangeLines('myapp\n')).toThrow(/^'images' line 1: 'myapp' is not name=tag/)
    expect(parseImageChangeLines('a=@' + DIGEST)).toEqual([{ image: 'a', tag: undefined, digest: DIGEST, source: "'images'", line: 1 }])
    // Given as a parameter, the error carries it and the line stays in the detail, for the caller to name.
    expect(() => parseImageChangeLines('a=v1\nmyapp\n', { parameter: 'images' })).toThrow(
      expect.objectContaining({ parameter: 'images', detail: "line 2: 'myapp' is not name=tag, name=tag@digest or name=@digest" })
    )
    expect(() => checkImageChange(parseImageChangeLines('a=v1\n\nb=v/2', { parameter: 'images' })[1]!)).toThrow(
      expect.objectContaining({ parameter: 'images', detail: expect.stringMatching(/^line 3: the tag may only contain /) })
    )
  })
})

describe('tag rules and scalar formatting', () => {
  const config = defaultGitopsConfig()
  const env = (name: string) => config.environments.find((e) => e.name === name)
  test.each([
    ['prod', 'v1.3.0', true],
    ['prod', 'myapp-v1.3.0', true],
    ['prod', 'v1.3.0-rc.1', true],
    ['prod', 'sha-abc1234', false],
    ['prod', 'latest', false],
    ['prod', 'otherapp-v1.3.0', false],
    ['staging', 'myapp-staging-abc1234', true],
    ['dev', 'myapp-abc1234-20241201-143022', true],
    ['dev', 'main', false]
  ])('%s accepts %s: %s', (name, tag, ok) => {
    const check = () => checkEnvironmentTag(tag, env(name), 'myapp', "Input 'tag'")
    if (ok) expect(check).not.toThrow()
    else expect(check).toThrow(/Input 'tag'/)
  })

  test.each([
    ['v1', false],
    ['1.10', true],
    ['0755', true],
    ['1e3', true],
    ['true', true],
    ['yes', true],
    ['null', true],
    ['sha-abc123d', false],
    ['ghcr.io/org/myapp:v1', false],
    ['', true]
  ])('needsQuotes(%j) is %s', (value, quoted) => {
    expect(needsQuotes(value)).toBe(quoted)
    expect(formatScalar(value, Scalar.PLAIN)).toBe(quoted ? JSON.stringify(value) : value)
  })
})

describe("planImageUpdate keeps each file's line breaks, BOM and final-newline state", () => {
  const crlf = (text: string) => text.replace(/\n/g, '\r\n')
  const BOM = '\uFEFF'
  const K = 'o/kustomization.yaml'
  const permissive = parseGitopsConfig('environments:\n  - name: dev\n    allowedTags: [".*"]\n')
  const run = (files: Record<string, string>, change: Omit<ImageChange, 'image'> & { image?: string }) =>
    planImageUpdate(repo(files), { overlays: ['o'], changes: [{ image: 'myapp', ...change }], config: permissive })
  const entry = 'resources:\n- ../../base\nimages:\n- name: myapp\n  newName: ghcr.io/org/myapp\n  newTag: "v1" # CI\n'
  const patch =
    'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: myapp\n        image: ghcr.io/org/myapp:v1\n'
  const withPatch = 'resources:\n- ../../base\npatches:\n- path: patch.yaml\n'
  const setter =
    'image:\n  repository: ghcr.io/org/myapp # {"$imagepolicy": "flux-system:myapp:name"}\n  tag: v1 # {"$imagepolicy": "flux-system:myapp:tag"}\n'

  // [edit path, files (LF; each case runs them as CRLF), change, file that changes, its expected text (LF)]
  test.each<[string, Record<string, string>, Omit<ImageChange, 'image'>, string, string]>([
    ['images entry: a value replaced', { [K]: entry }, { tag: 'v2' }, K, entry.replace('"v1"', '"v2"')],
    [
      'images entry: a digest line added, the newTag line removed',
      { [K]: entry },
      { digest: DIGEST },
      K,
      entry.replace('  newTag: "v1" # CI\n', `  digest: ${DIGEST}\n`)
    ],
    [
      'a new images entry after the last one',
      { [K]: 'images:\n- name: other\n  newTag: "1"\n' },
      { tag: 'v2' },
      K,
      'images:\n- name: other\n  newTag: "1"\n- name: myapp\n  newTag: "v2"\n'
    ],
    [
      'a new images list in place of images: []',
      { [K]: 'images: []\nresources:\n- ../../base\n' },
      { tag: 'v2' },
      K,
      'images:\n- name: myapp\n  newTag: "v2"\nresources:\n- ../../base\n'
    ],
    [
      'a new images list at the end',
      { [K]: 'resources:\n- ../../base\n' },
      { tag: 'v2', newName: 'ghcr.io/org/myapp' },
      K,
      'resources:\n- ../../base\n\nimages:\n- name: myapp\n  newName: ghcr.io/org/myapp\n  newTag: "v2"\n'
    ],
    [
      'a literal image in a patch file',
      { [K]: withPatch, 'o/patch.yaml': patch },
      { image: 'ghcr.io/org/myapp', tag: 'v2' },
      'o/patch.yaml',
      patch.replace(':v1', ':v2')
    ],
    [
      'Flux setter markers (:tag and :name)',
      { [K]: 'resources:\n- ../../base\n', 'o/values.yaml': setter },
      { image: 'ghcr.io/org/myapp', tag: 'v2', newName: 'ghcr.io/org/myapp2' },
      'o/values.yaml',
      setter.replace('tag: v1', 'tag: v2').replace('repository: ghcr.io/org/myapp ', 'repository: ghcr.io/org/myapp2 ')
    ]
  ])('%s: a CRLF file stays CRLF, byte for byte', async (_name, files, change, path, expected) => {
    const crlfFiles = Object.fromEntries(Object.entries(files).map(([p, t]) => [p, crlf(t)]))
    const result = await run(crlfFiles, change)
    const text = after(result, path)
    expect(Buffer.from(text)).toEqual(Buffer.from(crlf(expected)))
    expect(text).not.toMatch(/(?<!\r)\n/)
    // The same change on the LF file gives the same edit with LF breaks: nothing else differs.
    expect(after(await run(files, change), path)).toBe(expected)
  })

  test.each([
    ['a value replaced', entry, { tag: 'v2' }, entry.replace('"v1"', '"v2"')],
    [
      'a new images list at the end',
      'resources:\n- ../../base\n',
      { tag: 'v2' },
      'resources:\n- ../../base\n\nimages:\n- name: myapp\n  newTag: "v2"\n'
    ],
    [
      'a new images list at the top, in place of images: []',
      'images: []\nresources: []\n',
      { tag: 'v2' },
      'images:\n- name: myapp\n  newTag: "v2"\nresources: []\n'
    ]
  ])('a BOM stays in front (CRLF and LF): %s', async (_name, text, change, expected) => {
    for (const style of [(t: string) => t, crlf]) {
      const result = await run({ [K]: style(BOM + text) }, change)
      expect(Buffer.from(after(result, K))).toEqual(Buffer.from(style(BOM + expected)))
    }
  })

  test.each([
    [
      'a line added after the last line',
      'images:\n- name: myapp\n  newTag: v1',
      { tag: 'v1', digest: DIGEST },
      `images:\n- name: myapp\n  newTag: v1\n  digest: ${DIGEST}`
    ],
    [
      'the last line removed',
      `images:\n- name: myapp\n  newTag: v1\n  digest: ${DIGEST}`,
      { tag: 'v1' },
      'images:\n- name: myapp\n  newTag: v1'
    ],
    [
      'an entry appended',
      'images:\n- name: other\n  newTag: "1"',
      { tag: 'v2' },
      'images:\n- name: other\n  newTag: "1"\n- name: myapp\n  newTag: "v2"'
    ]
  ])('a file without a final newline stays without one (CRLF and LF): %s', async (_name, text, change, expected) => {
    for (const style of [(t: string) => t, crlf]) {
      const result = await run({ [K]: style(text) }, change)
      expect(Buffer.from(after(result, K))).toEqual(Buffer.from(style(expected)))
    }
  })

  test('a file with mixed line breaks: added lines take the style most of its lines use', async () => {
    const mostlyCrlf = 'resources:\r\n- ../../base\r\nimages:\n- name: other\r\n  newTag: "1"\r\n'
    expect(after(await run({ [K]: mostlyCrlf }, { tag: 'v2' }), K)).toBe(`${mostlyCrlf}- name: myapp\r\n  newTag: "v2"\r\n`)
    const mostlyLf = 'resources:\n- ../../base\nimages:\r\n- name: other\n  newTag: "1"\n'
    expect(after(await run({ [K]: mostlyLf }, { tag: 'v2' }), K)).toBe(`${mostlyLf}- name: myapp\n  newTag: "v2"\n`)
  })
})

describe('planImageUpdate: a setter marker beside a value that is not what it sets', () => {
  const K = 'o/kustomization.yaml'
  const deployment = (line: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nspec:\n${line}\n  template:\n    spec:\n      containers:\n      - name: myapp\n        image: ghcr.io/org/myapp:v1 # {"$imagepolicy": "flux-system:myapp"}\n`
  test.each([
    // The marker of the image's own policy on replicas: followed, it would write `3:v2` there.
    [
      'a number (replicas)',
      deployment('  replicas: 3 # {"$imagepolicy": "flux-system:myapp"}'),
      4,
      /beside 'replicas: 3', which is not an image reference/
    ],
    [
      'a boolean',
      deployment('  paused: false # {"$imagepolicy": "flux-system:other"}'),
      4,
      /beside 'paused: false', which is not an image reference/
    ],
    [
      'an empty value',
      deployment('  image: # {"$imagepolicy": "flux-system:myapp"}'),
      4,
      /beside 'image: ', which is not an image reference \(.*\): the value is empty/
    ],
    [
      'a string that is no reference',
      deployment('  note: "Hello World" # {"$imagepolicy": "flux-system:myapp"}'),
      4,
      /beside 'note: "Hello World"', which is not an image reference \(.*\): image reference 'Hello World'/
    ],
    [
      'a map',
      deployment('  selector: # {"$imagepolicy": "flux-system:myapp"}\n    app: myapp'),
      4,
      /beside 'selector:', whose value is a map/
    ],
    [
      'a tag marker beside a name',
      deployment('  x:\n    tag: ghcr.io/org/myapp # {"$imagepolicy": "flux-system:myapp:tag"}'),
      5,
      /which is not an image tag/
    ],
    [
      'a digest marker beside a tag',
      deployment('  x:\n    digest: v1 # {"$imagepolicy": "flux-system:myapp:digest"}'),
      5,
      /which is not an image digest: expected e.g. sha256/
    ],
    [
      'a name marker beside a number',
      deployment('  x:\n    name: 8080 # {"$imagepolicy": "flux-system:myapp:name"}'),
      5,
      /which is not an image name/
    ]
  ])('%s: a UserError at the marker line, no edit planned', async (_name, text, line, message) => {
    for (const style of [(t: string) => t, (t: string) => t.replace(/\n/g, '\r\n')]) {
      const reader = repo({ [K]: 'resources:\n- deploy.yaml\n', 'o/deploy.yaml': style(text) })
      const error = await rejectionOf(
        planImageUpdate(reader, { overlays: ['o'], changes: [{ image: 'myapp', tag: 'sha-def4567' }] }),
        UserError
      )
      expect(error.message).toMatch(message)
      expect(error.message).toMatch(new RegExp(`^o/deploy.yaml:${line}: the Flux image setter marker \\{"\\$imagepolicy"`))
      expect(error.message).toContain('Move the marker to the line it is meant for')
      expect(error.location).toEqual({ file: 'o/deploy.yaml', line })
    }
  })

  test('a :tag marker beside a plain number is the tag as written (quoted when set)', async () => {
    const values = 'image:\n  repository: myapp\n  tag: 1.10 # {"$imagepolicy": "flux-system:myapp:tag"}\n'
    const result = await planImageUpdate(repo({ [K]: 'resources: []\n', 'o/values.yaml': values }), {
      overlays: ['o'],
      changes: [{ image: 'myapp', tag: '1.11' }],
      config: parseGitopsConfig('environments:\n  - name: dev\n    allowedTags: [".*"]\n')
    })
    expect(result.previousTag).toBe('1.10')
    expect(after(result, 'o/values.yaml')).toBe(values.replace('tag: 1.10', 'tag: "1.11"'))
  })
})

describe('planImageUpdate: inline patches are located, not edited', () => {
  test('patches[].patch (literal block), patchesJson6902 and patchesStrategicMerge inline strings', async () => {
    const kustomization = [
      'resources:', // 1
      '- ../../base', // 2
      'patches:', // 3
      '- patch: |-', // 4
      '    apiVersion: apps/v1', // 5
      '    kind: Deployment', // 6
      '    metadata:', // 7
      '      name: myapp', // 8
      '',
      '    spec:', // 10
      '      template:', // 11
      '        spec:', // 12
      '          containers:', // 13
      '          - name: myapp', // 14
      '            image: ghcr.io/org/myapp:v1.2.3', // 15
      '          - name: sidecar', // 16
      '            image: busybox:1.36', // 17
      'patchesJson6902:', // 18
      '- target: {kind: Deployment, name: myapp}', // 19
      '  patch: "[{op: replace, path: /spec/template/spec/containers/0/image, value: ghcr.io/org/myapp:v0}]"', // 20
      'patchesStrategicMerge:', // 21
      '- |', // 22
      '  kind: Deployment', // 23
      '  metadata: {name: myapp}', // 24
      '  spec: {template: {spec: {initContainers: [{name: init, image: "ghcr.io/org/myapp:v1.2.3"}]}}}', // 25
      ''
    ].join('\n')
    const reader = repo({ 'o/kustomization.yaml': kustomization })
    const result = await plan(reader, { image: 'ghcr.io/org/myapp', tag: 'v1.3.0' }, ['o'])
    expect(result.targets[0]!.inlinePatches).toEqual([
      { file: 'o/kustomization.yaml', line: 15, image: 'ghcr.io/org/myapp:v1.2.3' },
      { file: 'o/kustomization.yaml', line: 20, image: 'ghcr.io/org/myapp:v0' },
      { file: 'o/kustomization.yaml', line: 25, image: 'ghcr.io/org/myapp:v1.2.3' }
    ])
    // Nothing inside the patches is edited: the only edit is the images entry the render check judges.
    expect(after(result, 'o/kustomization.yaml')).toBe(`${kustomization}\nimages:\n- name: ghcr.io/org/myapp\n  newTag: "v1.3.0"\n`)
    expect((await plan(reader, { image: 'busybox', tag: 'v1.37.0' }, ['o'])).targets[0]!.inlinePatches).toEqual([
      { file: 'o/kustomization.yaml', line: 17, image: 'busybox:1.36' }
    ])
  })
})
