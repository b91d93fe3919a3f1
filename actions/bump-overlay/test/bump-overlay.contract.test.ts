import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { snapshotFiles } from '../../../test/harness/file-snapshot.js'
import { repoRoot, runAction } from '../../../test/harness/run-action.js'

const EXAMPLE = join(repoRoot, 'examples', 'config-repo')
const DEV = 'apps/myapp/overlays/dev/kustomization.yaml'
const STAGING = 'apps/myapp/overlays/staging/kustomization.yaml'
const PROD = 'apps/myapp/overlays/prod/kustomization.yaml'
const DIGEST = `sha256:${'d'.repeat(64)}`

/** A fresh copy of the example config repo (optionally below a subdirectory of the workspace). */
function configRepo(subdir = ''): { workspace: string; repo: string } {
  const workspace = mkdtempSync(join(tmpdir(), 'bump-ws-'))
  const repo = join(workspace, subdir)
  mkdirSync(repo, { recursive: true })
  cpSync(EXAMPLE, repo, { recursive: true })
  return { workspace, repo }
}

function read(repo: string, path: string): string {
  return readFileSync(join(repo, path), 'utf8')
}

describe('bump-overlay bundle, started as the runner starts it', () => {
  test('dev auto-deploy by app and environment: one value changes, comment and quotes kept; outputs and summary', async () => {
    const { workspace, repo } = configRepo()
    const before = read(repo, DEV)
    const run = await runAction('bump-overlay', {
      workspace,
      inputs: { app: 'myapp', environment: 'dev', image: 'myapp', tag: 'sha-def4567' }
    })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(read(repo, DEV)).toBe(
      before.replace('newTag: "sha-abc123d"  # Auto-updated by CI', 'newTag: "sha-def4567"  # Auto-updated by CI')
    )
    expect(run.outputs).toMatchObject({
      changed: 'true',
      'previous-tag': 'sha-abc123d',
      'previous-digest': '',
      files: DEV,
      overlays: 'apps/myapp/overlays/dev'
    })
    expect(run.outputs.diff).toBe(
      `--- a/${DEV}\n+++ b/${DEV}\n@@ -13,4 +13,4 @@\n images:\n - name: myapp\n   newName: ghcr.io/org/myapp\n-  newTag: "sha-abc123d"  # Auto-updated by CI\n+  newTag: "sha-def4567"  # Auto-updated by CI\n`
    )
    expect(run.json).toMatchObject({
      changed: true,
      written: [DEV],
      targets: [{ overlay: 'apps/myapp/overlays/dev', environment: 'dev', previousTag: 'sha-abc123d', tag: 'sha-def4567' }],
      checks: [
        {
          overlay: 'apps/myapp/overlays/dev',
          containers: [{ object: 'Deployment/app-dev/myapp', container: 'myapp', image: 'ghcr.io/org/myapp:sha-def4567' }]
        }
      ]
    })
    expect(run.summary).toContain('| overlay | file | image | field | old → new |')
    expect(run.summary).toContain('| apps/myapp/overlays/dev | kustomization.yaml:16 | myapp | newTag | `sha-abc123d` → `sha-def4567` |')

    // The same tag again: changed=false and not even a rewrite of the same bytes.
    const files = snapshotFiles(repo, { mtime: true })
    const again = await runAction('bump-overlay', {
      workspace,
      inputs: { app: 'myapp', environment: 'dev', image: 'myapp', tag: 'sha-def4567' }
    })
    expect(again.exitCode).toBe(0)
    expect(again.outputs).toMatchObject({ changed: 'false', 'previous-tag': 'sha-def4567', files: '', diff: '' })
    expect(again.summary).toContain('nothing changed')
    expect(snapshotFiles(repo, { mtime: true })).toEqual(files)
  })

  test('dry-run: the diff and outputs, no file written', async () => {
    const { workspace, repo } = configRepo()
    const files = snapshotFiles(repo, { mtime: true })
    const run = await runAction('bump-overlay', {
      workspace,
      inputs: { overlays: 'apps/myapp/overlays/prod', image: 'ghcr.io/org/myapp', tag: 'v1.3.0', 'dry-run': 'true' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ changed: 'true', 'previous-tag': 'v1.2.3', files: PROD })
    expect(run.outputs.diff).toContain('+  newTag: "v1.3.0"  # Manually updated via PR')
    expect(run.json).toMatchObject({ dryRun: true, written: [] })
    expect(run.summary).toContain('dry run: nothing written')
    expect(snapshotFiles(repo, { mtime: true })).toEqual(files)
  })

  test('several overlays and images in one call, in a working-directory, with a digest', async () => {
    const { workspace, repo } = configRepo('config')
    const run = await runAction('bump-overlay', {
      workspace,
      inputs: {
        'working-directory': 'config',
        overlays: 'apps/myapp/overlays/dev\napps/myapp/overlays/staging\n',
        images: `# one line per image\nmyapp=sha-1234567@${DIGEST}\n`
      }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.files!.split('\n')).toEqual([DEV, STAGING])
    expect(read(repo, STAGING)).toContain(`  newTag: "sha-1234567"  # Manually updated via PR\n  digest: ${DIGEST}\n`)
    expect(run.json.checks.map((c: any) => c.containers[0].image)).toEqual([
      `ghcr.io/org/myapp:sha-1234567@${DIGEST}`,
      `ghcr.io/org/myapp:sha-1234567@${DIGEST}`
    ])
  })

  test('prod: a digest alone drops the tag', async () => {
    const { workspace, repo } = configRepo()
    const run = await runAction('bump-overlay', {
      workspace,
      inputs: { app: 'myapp', environment: 'prod', image: 'myapp', digest: DIGEST }
    })
    expect(run.exitCode).toBe(0)
    expect(read(repo, PROD)).toContain(`  newName: ghcr.io/org/myapp\n  digest: ${DIGEST}\n`)
    expect(read(repo, PROD)).not.toContain('newTag')
    expect(run.outputs).toMatchObject({ 'previous-tag': 'v1.2.3', changed: 'true' })
  })

  test('in a working-directory, a mistake in a file is annotated at its workspace path: exit 1, no file changed', async () => {
    const { workspace, repo } = configRepo('checkouts/config')
    writeFileSync(join(repo, DEV), read(repo, DEV).replace('- name: myapp\n', '- name: myapp\n  newName: a: b\n'))
    const files = snapshotFiles(workspace, { mtime: true })
    const run = await runAction('bump-overlay', {
      workspace,
      inputs: { app: 'myapp', environment: 'dev', image: 'myapp', tag: 'sha-abc1234', 'working-directory': './checkouts/config/' }
    })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toMatchObject({ file: `checkouts/config/${DEV}`, line: '15' })
    expect(errors[0]!.message).toMatch(new RegExp(`^bump-overlay: checkouts/config/${DEV}:15(:\\d+)?: .*Invalid YAML`))
    expect(snapshotFiles(workspace, { mtime: true })).toEqual(files)
  })

  type Case = [string, Record<string, string>, RegExp, ((repo: string) => void)?, { file: string; line: string }?]
  const dev = { app: 'myapp', environment: 'dev', image: 'myapp' }
  test.each<Case>([
    ['an invalid tag', { ...dev, tag: 'v1/2' }, /Input 'tag'.*may only contain letters/],
    [
      'a dev tag in prod',
      { ...dev, environment: 'prod', tag: 'sha-abc1234' },
      /Input 'tag': overlay apps\/myapp\/overlays\/prod: 'sha-abc1234' does not match the tags allowed in prod/
    ],
    ['latest', { ...dev, tag: 'latest' }, /'latest' is a mutable tag, never deployed to dev/],
    ['no tag and no digest', { ...dev }, /Input 'tag': give 'tag', 'digest' or both for image 'myapp'/],
    ['an invalid digest', { ...dev, digest: 'sha256:1234' }, /'sha256:1234' is not a valid digest/],
    [
      'an unknown overlay',
      { overlays: 'apps/nope/overlays/dev', image: 'myapp', tag: 'sha-abc1234' },
      /Overlay 'apps\/nope\/overlays\/dev' does not exist/
    ],
    [
      'an overlay path leaving the repo',
      { overlays: '../elsewhere', image: 'myapp', tag: 'sha-abc1234' },
      /Input 'overlays': '..\/elsewhere' leads out of the repository/
    ],
    ['an app name escaping the layout', { ...dev, app: '../../etc', tag: 'sha-abc1234' }, /Input 'app': '..\/..\/etc' may only contain/],
    ['an unknown environment', { ...dev, environment: 'qa', tag: 'sha-abc1234' }, /Input 'environment': unknown environment 'qa'/],
    [
      'neither overlays nor app/environment',
      { image: 'myapp', tag: 'sha-abc1234' },
      /Input 'overlays': give the overlay directories, or 'app' and 'environment'/
    ],
    ['images and image together', { ...dev, images: 'myapp=sha-abc1234' }, /Input 'image': give either 'images' or 'image'/],
    [
      'a bad images line',
      { app: 'myapp', environment: 'dev', images: 'myapp:sha-abc1234' },
      /Input 'images': line 1: 'myapp:sha-abc1234' is not name=tag/
    ],
    [
      'a bad dry-run',
      { ...dev, tag: 'sha-abc1234', 'dry-run': 'maybe' },
      /Input 'dry-run': 'maybe' is not valid. Valid values are: true, false/
    ],
    [
      'a missing working-directory',
      { ...dev, tag: 'sha-abc1234', 'working-directory': 'nope' },
      /Input 'working-directory': '.*\/nope' is not a directory/
    ],
    [
      'an image the overlay does not use',
      { ...dev, image: 'myap', tag: 'sha-abc1234' },
      /image 'myap' is not used by apps\/myapp\/overlays\/dev/
    ],
    [
      'a malformed kustomization.yaml',
      { ...dev, tag: 'sha-abc1234' },
      /Invalid YAML/,
      (repo) => writeFileSync(join(repo, DEV), read(repo, DEV).replace('- name: myapp\n', '- name: myapp\n  newName: a: b\n')),
      { file: DEV, line: '15' }
    ],
    [
      'duplicate keys',
      { ...dev, tag: 'sha-abc1234' },
      /Duplicate key/,
      (repo) =>
        writeFileSync(join(repo, DEV), read(repo, DEV).replace('namespace: app-dev\n', 'namespace: app-dev\nnamespace: app-prod\n')),
      { file: DEV, line: '5' }
    ],
    [
      'a YAML alias bomb',
      { ...dev, tag: 'sha-abc1234' },
      /refusing a possible alias bomb/,
      (repo) =>
        writeFileSync(
          join(repo, 'apps/myapp/overlays/dev/configmap-patch.yaml'),
          'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
        )
    ],
    [
      'a Flux setter marker beside a value that is not an image reference',
      { ...dev, tag: 'sha-abc1234' },
      /apps\/myapp\/overlays\/dev\/deployment-patch.yaml:6: the Flux image setter marker \{"\$imagepolicy": "flux-system:myapp"\} is beside 'replicas: 1', which is not an image reference/,
      (repo) =>
        writeFileSync(
          join(repo, 'apps/myapp/overlays/dev/deployment-patch.yaml'),
          read(repo, 'apps/myapp/overlays/dev/deployment-patch.yaml').replace(
            '  replicas: 1\n',
            '  replicas: 1 # {"$imagepolicy": "flux-system:myapp"}\n'
          )
        ),
      { file: 'apps/myapp/overlays/dev/deployment-patch.yaml', line: '6' }
    ],
    [
      'an inline patch in kustomization.yaml that pins the image',
      { ...dev, tag: 'sha-abc1234' },
      /kustomization.yaml:15: an inline patch pins ghcr.io\/org\/myapp:sha-0000000, .*Move the patch into a file of the overlay/,
      (repo) =>
        writeFileSync(
          join(repo, DEV),
          read(repo, DEV).replace(
            '- path: configmap-patch.yaml\n',
            '- path: configmap-patch.yaml\n- patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: ghcr.io/org/myapp:sha-0000000\n  target:\n    kind: Deployment\n'
          )
        ),
      { file: DEV, line: '15' }
    ],
    [
      'an overlay that is a symlink out of the repo',
      { overlays: 'apps/myapp/overlays/evil', image: 'myapp', tag: 'sha-abc1234' },
      /'apps\/myapp\/overlays\/evil' is a symlink \(or goes through one\) that leads out of the repository/,
      (repo) => {
        const outside = mkdtempSync(join(tmpdir(), 'outside-'))
        cpSync(join(repo, 'apps/myapp/overlays/dev'), outside, { recursive: true })
        symlinkSync(outside, join(repo, 'apps/myapp/overlays/evil'))
      }
    ]
  ])('%s: exit 1, one clear ::error, no file changed', async (_name, inputs, message, prepare, location) => {
    const { workspace, repo } = configRepo()
    prepare?.(repo)
    const files = snapshotFiles(repo, { mtime: true })
    const run = await runAction('bump-overlay', { workspace, inputs })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(message)
    expect(errors[0]!.message).not.toMatch(/bug in gitops-actions|\n\s+at /)
    if (location) expect(errors[0]!.properties).toMatchObject({ file: location.file, line: location.line })
    expect(run.outputs.changed).toBeUndefined()
    expect(snapshotFiles(repo, { mtime: true })).toEqual(files)
  })
})
