import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { DiskRepoReader, planImageUpdate, UserError, type ImageUpdateRequest } from '@gitops-actions/core'
import { rejectionOf, snapshotFiles } from '../../../test/harness/file-snapshot.js'
import { kustomizeMessage, verifyImageUpdate } from '@gitops-actions/kustomize'
import { bumpOverlay } from '../src/index.js'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const EXAMPLE = join(ROOT, 'examples', 'config-repo')
const SEED = join(ROOT, 'test', 'fixtures', 'seed-overlays')
const DIGEST = `sha256:${'c'.repeat(64)}`

function copy(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-'))
  cpSync(from, dir, { recursive: true })
  return dir
}

const bump = (overlays: string[], change: ImageUpdateRequest['changes'][number]): ImageUpdateRequest => ({ overlays, changes: [change] })

/** The whole operation in a checkout, as the action runs it. */
const bumpOnDisk = (root: string, request: ImageUpdateRequest, dryRun = false) =>
  bumpOverlay({ root, overlays: [...request.overlays], changes: [...request.changes], app: undefined, environment: undefined, dryRun })

// Each case is one or two kustomize renders (≈0.3 s each); cases share nothing mutable.
describe('verifyImageUpdate renders the change with real kustomize before anything is written', () => {
  test('the example repo: dev and staging with a tag and digest; the checkout is untouched by the check', async () => {
    const repo = copy(EXAMPLE)
    const before = snapshotFiles(repo, { inode: true })
    const plan = await planImageUpdate(
      new DiskRepoReader(repo),
      bump(['apps/myapp/overlays/dev', 'apps/myapp/overlays/staging'], { image: 'myapp', tag: 'sha-def4567', digest: DIGEST })
    )
    const checks = await verifyImageUpdate(repo, plan)
    expect(checks.map((c) => [c.overlay, c.containers.map((x) => [x.object, x.container, x.image])])).toEqual([
      ['apps/myapp/overlays/dev', [['Deployment/app-dev/myapp', 'myapp', `ghcr.io/org/myapp:sha-def4567@${DIGEST}`]]],
      ['apps/myapp/overlays/staging', [['Deployment/app-staging/myapp', 'myapp', `ghcr.io/org/myapp:sha-def4567@${DIGEST}`]]]
    ])
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('a literal reference in deployment-patch.yaml (the seed promotion) is what the render runs', async () => {
    const repo = copy(EXAMPLE)
    const patch = join(repo, 'apps/myapp/overlays/prod/deployment-patch.yaml')
    writeFileSync(
      patch,
      readFileSync(patch, 'utf8').replace('      - name: myapp\n', '      - name: myapp\n        image: ghcr.io/org/myapp:v1.2.3\n')
    )
    const result = await bumpOnDisk(repo, bump(['apps/myapp/overlays/prod'], { image: 'ghcr.io/org/myapp', tag: 'v1.3.0' }))
    expect(result.written).toEqual(['apps/myapp/overlays/prod/kustomization.yaml', 'apps/myapp/overlays/prod/deployment-patch.yaml'])
    expect(readFileSync(patch, 'utf8')).toContain('image: ghcr.io/org/myapp:v1.3.0\n')
    expect(result.checks[0]!.containers.map((c) => c.image)).toEqual(['ghcr.io/org/myapp:v1.3.0'])
  })

  test('a base that renames the image first: the overlay entry matches nothing, so nothing is written', async () => {
    const repo = copy(EXAMPLE)
    writeFileSync(
      join(repo, 'apps/myapp/base/kustomization.yaml'),
      'resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\nimages:\n- name: myapp\n  newName: ghcr.io/org/myapp\n'
    )
    const before = snapshotFiles(repo, { inode: true })
    const error = await rejectionOf(bumpOnDisk(repo, bump(['apps/myapp/overlays/dev'], { image: 'myapp', tag: 'sha-def4567' })), UserError)
    expect(error.message).toContain(
      'apps/myapp/overlays/dev: Deployment/app-dev/myapp container myapp would run ghcr.io/org/myapp, not ghcr.io/org/myapp:sha-def4567'
    )
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('an image the overlay does not use (a typo) is an error, not a new entry', async () => {
    const repo = copy(EXAMPLE)
    const before = snapshotFiles(repo, { inode: true })
    const plan = await planImageUpdate(new DiskRepoReader(repo), bump(['apps/myapp/overlays/dev'], { image: 'myap', tag: 'sha-def4567' }))
    expect(plan.targets[0]!.added).toBe(true)
    const error = await rejectionOf(verifyImageUpdate(repo, plan), UserError)
    expect(error.message).toMatch(
      /image 'myap' is not used by apps\/myapp\/overlays\/dev: no container of its render runs it \(containers run: ghcr.io\/org\/myapp:sha-abc123d\)/
    )
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('an image used only by the base gets an overlay entry, and the render proves it', async () => {
    const repo = copy(EXAMPLE)
    const k = join(repo, 'apps/myapp/overlays/dev/kustomization.yaml')
    writeFileSync(k, readFileSync(k, 'utf8').replace(/\nimages:[\s\S]*$/, '\n'))
    const result = await bumpOnDisk(
      repo,
      bump(['apps/myapp/overlays/dev'], { image: 'myapp', tag: 'sha-def4567', newName: 'ghcr.io/org/myapp' })
    )
    expect(readFileSync(k, 'utf8')).toMatch(/\nimages:\n- name: myapp\n {2}newName: ghcr.io\/org\/myapp\n {2}newTag: "sha-def4567"\n$/)
    expect(result.checks[0]!.containers.map((c) => c.image)).toEqual(['ghcr.io/org/myapp:sha-def4567'])
  })

  test('an inline patch that pins the image: the object and container are named, nothing is written', async () => {
    const repo = copy(EXAMPLE)
    const k = join(repo, 'apps/myapp/overlays/staging/kustomization.yaml')
    writeFileSync(
      k,
      readFileSync(k, 'utf8').replace(
        '- path: hpa-patch.yaml\n',
        '- path: hpa-patch.yaml\n- patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: ghcr.io/org/myapp:pinned\n  target:\n    kind: Deployment\n'
      )
    )
    const before = snapshotFiles(repo, { inode: true })
    const error = await rejectionOf(
      bumpOnDisk(repo, bump(['apps/myapp/overlays/staging'], { image: 'myapp', tag: 'myapp-staging-def4567' })),
      UserError
    )
    expect(error.message).toContain(
      'Deployment/app-staging/myapp container myapp would run ghcr.io/org/myapp:pinned, not ghcr.io/org/myapp:myapp-staging-def4567'
    )
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('the seed overlays verbatim: the same edits the design makes by hand, refused because kustomize cannot build them', async () => {
    const repo = copy(SEED)
    const before = snapshotFiles(repo, { inode: true })
    const plan = await planImageUpdate(
      new DiskRepoReader(repo),
      bump(['apps/myapp/overlays/prod'], { image: 'ghcr.io/org/myapp', tag: 'v1.3.0' })
    )
    expect(plan.changes.map((c) => [c.file.split('/').pop(), c.before, c.after])).toEqual([
      ['deployment-patch.yaml', 'ghcr.io/org/myapp:v1.2.3', 'ghcr.io/org/myapp:v1.3.0']
    ])
    const error = await rejectionOf(verifyImageUpdate(repo, plan), UserError)
    expect(error.message).toContain(
      "kustomize cannot build apps/myapp/overlays/prod with the change: accumulating resources: accumulation err='merging resources from 'deployment-patch.yaml': may not add resource with an already registered id: Deployment.v1.apps/myapp"
    )
    expect(error.message).not.toContain(tmpdir())
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('a dry run verifies and writes nothing; the same change twice writes once', async () => {
    const repo = copy(EXAMPLE)
    const before = snapshotFiles(repo, { inode: true })
    const request = bump(['apps/myapp/overlays/dev'], { image: 'myapp', tag: 'sha-def4567' })
    const dry = await bumpOnDisk(repo, request, true)
    expect(dry.written).toEqual([])
    expect(dry.checks).toHaveLength(1)
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
    expect((await bumpOnDisk(repo, request)).written).toEqual(['apps/myapp/overlays/dev/kustomization.yaml'])
    const again = await bumpOnDisk(repo, request)
    expect(again).toMatchObject({ written: [], checks: [], changed: false, previousTag: 'sha-def4567', diff: '' })
  })
})

test('kustomizeMessage unwraps kubectl klog lines', () => {
  expect(kustomizeMessage('E1125 19:11:45.337125   25826 run.go:72] "command failed" err="missing \\"x\\" here"\n')).toBe(
    'missing "x" here'
  )
  expect(kustomizeMessage('Error: accumulating resources\n')).toBe('accumulating resources')
})
