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

/** Adds an inline JSON 6902 patch setting the Deployment's image after the overlay's last `- path:` patch; returns the kustomization's path. */
function addInlineImagePatch(repo: string, environment: string, image: string): string {
  const k = join(repo, `apps/myapp/overlays/${environment}/kustomization.yaml`)
  const patch = `- patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: ${image}\n  target:\n    kind: Deployment\n`
  writeFileSync(k, readFileSync(k, 'utf8').replace(/(- path: [^\n]*\n)\n/, `$1${patch}\n`))
  return k
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

  test('an inline patch that pins the image: its kustomization.yaml line, the object and container and the fix are named, nothing is written', async () => {
    const repo = copy(EXAMPLE)
    const k = addInlineImagePatch(repo, 'staging', 'ghcr.io/org/myapp:pinned')
    const before = snapshotFiles(repo, { inode: true })
    const error = await rejectionOf(
      bumpOnDisk(repo, bump(['apps/myapp/overlays/staging'], { image: 'myapp', tag: 'myapp-staging-def4567' })),
      UserError
    )
    expect(error.message).toContain(
      'apps/myapp/overlays/staging/kustomization.yaml:16: an inline patch pins ghcr.io/org/myapp:pinned, so Deployment/app-staging/myapp container myapp would run it, not ghcr.io/org/myapp:myapp-staging-def4567'
    )
    expect(error.message).toContain("Move the patch into a file of the overlay listed under 'patches: - path: <file>.yaml'")
    expect(error.location).toEqual({ file: 'apps/myapp/overlays/staging/kustomization.yaml', line: 16 })
    expect(readFileSync(k, 'utf8').split('\n')[15]).toBe('      value: ghcr.io/org/myapp:pinned')
    expect(snapshotFiles(repo, { inode: true })).toEqual(before)
  })

  test('an inline patch pinning the name the images entry matches: the entry wins in the render, so the bump goes through', async () => {
    const repo = copy(EXAMPLE)
    const k = addInlineImagePatch(repo, 'dev', 'myapp:pinned')
    const result = await bumpOnDisk(repo, bump(['apps/myapp/overlays/dev'], { image: 'myapp', tag: 'sha-def4567' }))
    expect(result.targets[0]!.inlinePatches).toEqual([
      { file: 'apps/myapp/overlays/dev/kustomization.yaml', line: 15, image: 'myapp:pinned' }
    ])
    expect(result.checks[0]!.containers.map((c) => c.image)).toEqual(['ghcr.io/org/myapp:sha-def4567'])
    expect(readFileSync(k, 'utf8')).toContain('      value: myapp:pinned\n')
  })

  test('a CRLF checkout (core.autocrlf): the written files stay CRLF and kustomize renders them', async () => {
    const repo = copy(EXAMPLE)
    const dir = join(repo, 'apps/myapp/overlays/prod')
    const k = join(dir, 'kustomization.yaml')
    const patch = join(dir, 'deployment-patch.yaml')
    writeFileSync(k, readFileSync(k, 'utf8').replace(/\n/g, '\r\n'))
    writeFileSync(
      patch,
      readFileSync(patch, 'utf8')
        .replace('      - name: myapp\n', '      - name: myapp\n        image: ghcr.io/org/myapp:v1.2.3\n')
        .replace(/\n/g, '\r\n')
    )
    const kBefore = readFileSync(k, 'utf8')
    const patchBefore = readFileSync(patch, 'utf8')
    const result = await bumpOnDisk(repo, bump(['apps/myapp/overlays/prod'], { image: 'ghcr.io/org/myapp', tag: 'v1.3.0', digest: DIGEST }))
    expect(result.written).toEqual(['apps/myapp/overlays/prod/kustomization.yaml', 'apps/myapp/overlays/prod/deployment-patch.yaml'])
    expect(readFileSync(k)).toEqual(
      Buffer.from(
        kBefore.replace(
          'newTag: "v1.2.3"  # Manually updated via PR\r\n',
          `newTag: "v1.3.0"  # Manually updated via PR\r\n  digest: ${DIGEST}\r\n`
        )
      )
    )
    expect(readFileSync(patch)).toEqual(Buffer.from(patchBefore.replace('myapp:v1.2.3\r\n', `myapp:v1.3.0@${DIGEST}\r\n`)))
    expect(result.checks[0]!.containers.map((c) => c.image)).toEqual([`ghcr.io/org/myapp:v1.3.0@${DIGEST}`])
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

  // Several overlays build in batched kustomize calls; one that fails there is built again alone, for kustomize's own message about it.
  test('an overlay that fails among several is reported as when built alone, and nothing is written', async () => {
    const repo = copy(SEED)
    const before = snapshotFiles(repo, { inode: true })
    const plan = await planImageUpdate(
      new DiskRepoReader(repo),
      bump(['apps/myapp/overlays/dev', 'apps/myapp/overlays/staging'], { image: 'ghcr.io/org/myapp', tag: 'sha-def4567' })
    )
    const error = await rejectionOf(verifyImageUpdate(repo, plan), UserError)
    expect(error.message).toContain(
      "kustomize cannot build apps/myapp/overlays/staging with the change: accumulating resources: accumulation err='merging resources from 'deployment-patch.yaml': may not add resource with an already registered id: Deployment.v1.apps/myapp"
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
