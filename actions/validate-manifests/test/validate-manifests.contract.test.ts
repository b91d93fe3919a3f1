import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixtureWithEdits } from '../../../test/harness/file-tree.js'
import { GitRepo } from '../../../test/harness/git-repo.js'
import { runAction } from '../../../test/harness/run-action.js'
import { repositoryOf } from '../../../scripts/lib/repository.mjs'

type Run = Awaited<ReturnType<typeof runAction>>

const root = resolve(import.meta.dirname, '../../..')
const example = join(root, 'examples/config-repo')
const seed = join(root, 'test/fixtures/validate/seed-verbatim')
const fluxShaped = join(root, 'test/fixtures/validate/flux-example-shapes/kustomize-helm')
const overlays = join(root, 'test/fixtures/validate/provenance')
const env = { GITHUB_REPOSITORY: 'org/config-repo' }

function copy(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'validate-ws-'))
  cpSync(source, dir, { recursive: true })
  return dir
}

/** The example with a custom CEL rule in gitops.yaml and a ValidatingAdmissionPolicy among the infrastructure. */
function celRulesWorkspace(): string {
  const dir = copy(example)
  const gitops = readFileSync(join(dir, 'gitops.yaml'), 'utf8')
  writeFileSync(
    join(dir, 'gitops.yaml'),
    `${gitops}
policy:
  custom:
    - id: team-label
      kinds: [Deployment]
      validations:
        - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
          message: every Deployment needs a team label
`
  )
  writeFileSync(
    join(dir, 'infrastructure/max-replicas.yaml'),
    `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-replicas
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 2"
    messageExpression: "'at most 2 replicas, not ' + string(object.spec.replicas)"
`
  )
  const infrastructure = join(dir, 'infrastructure/kustomization.yaml')
  writeFileSync(infrastructure, `${readFileSync(infrastructure, 'utf8')}- max-replicas.yaml\n`)
  return dir
}

/** The overlays fixture with what issue 15 saw pointed at the base: a patch's typo and privileged container, prod's latest tag, a patch target that names nothing. */
function patchedOverlays(): string {
  return fixtureWithEdits(overlays, {
    'apps/web/overlays/prod/prod-patch.yaml': [
      ['spec:\n  template:', 'spec:\n  replica: 3\n  template:'],
      ['          resources:', '          securityContext:\n            privileged: true\n          resources:']
    ],
    'apps/web/overlays/prod/kustomization.yaml': [['    newTag: v1.4.0', '    newTag: latest']],
    'apps/web/overlays/staging/kustomization.yaml': [['      name: web\nreplacements:', '      name: web-api\nreplacements:']]
  })
}

describe('validate-manifests bundle, started as the runner starts it', () => {
  // The bundle runs are shared: each is one process start with real kustomize renders.
  const runs: Record<string, Run> = {}
  let sarifWorkspace: string
  beforeAll(async () => {
    sarifWorkspace = copy(example)
    const entries: Array<[string, Parameters<typeof runAction>[1]]> = [
      ['cel', { workspace: celRulesWorkspace(), env, inputs: { checks: 'policy', 'environment-status': 'false' } }],
      ['example', { workspace: sarifWorkspace, env, inputs: { 'sarif-file': 'reports/validate.sarif' } }],
      ['seed', { workspace: seed, env }],
      ['seedFluxOnly', { workspace: seed, env, inputs: { checks: 'flux', 'fail-on': 'warning', 'environment-status': 'false' } }],
      ['fluxShaped', { workspace: fluxShaped, env, inputs: { 'environment-status': 'false' } }],
      ['patched', { workspace: patchedOverlays(), env, inputs: { checks: 'kustomize,policy', 'environment-status': 'false' } }]
    ]
    await Promise.all(
      entries.map(async ([name, options]) => (runs[name] = await runAction('validate-manifests', { ...options, timeoutMs: 120_000 })))
    )
  })

  test('the example config repo passes: exit 0, outputs, one table per check', () => {
    const run = runs.example!
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.errors).toBe('0')
    expect(run.outputs.warnings).toBe('0')
    expect(run.outputs.roots!.split('\n')).toEqual([
      'apps/myapp/overlays/dev',
      'apps/myapp/overlays/prod',
      'apps/myapp/overlays/staging',
      'infrastructure'
    ])
    expect(run.json.checks.map((c: { title: string }) => c.title)).toEqual([
      'kustomize-validate',
      'security-policy-check',
      'quota-validation',
      'flux-sync-validation',
      'codeowners-check'
    ])
    for (const title of ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation', 'codeowners-check'])
      expect(run.summary).toContain(`### ✅ ${title}`)
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([])
  })

  test('a full run on a push to main adds the environment status: the promotion chain and the table', () => {
    const run = runs.example!
    expect(run.summary).toContain('### Environments')
    expect(run.summary).toMatch(/```mermaid\nflowchart LR\n[\s\S]*sha-abc123d[\s\S]*myapp-staging-abc123d[\s\S]*v1\.2\.3/)
    const status = run.json.environmentStatus
    expect(status.environments).toEqual(['dev', 'staging', 'prod'])
    expect(status.apps.map((a: { app: string }) => a.app)).toEqual(['myapp'])
    expect(runs.seedFluxOnly!.summary).not.toContain('### Environments')
    expect(runs.seedFluxOnly!.json.environmentStatus).toBeUndefined()
  })

  test("a repo in the shape of Flux's kustomize-helm example passes every check, its ClusterIssuer checked against the packaged cert-manager schema", () => {
    const run = runs.fluxShaped!
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect([run.outputs.errors, run.outputs.warnings]).toEqual(['0', '0'])
    expect(run.annotations.filter((a) => a.level !== 'notice')).toEqual([])
  })

  test('sarif-file is written as SARIF 2.1.0', () => {
    const sarif = JSON.parse(readFileSync(join(sarifWorkspace, 'reports/validate.sarif'), 'utf8'))
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].tool.driver.name).toBe('gitops-actions validate-manifests')
    // The release that made it (package.json's version, which the release tags) and the repository package.json names.
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    expect(sarif.runs[0].tool.driver).toMatchObject({
      version: manifest.version,
      informationUri: `https://github.com/${repositoryOf(manifest)}`
    })
    expect(sarif.runs[0].results.length).toBe(runs.example!.json.findings.length)
  })

  test('the verbatim seed fails with annotations at file and line', () => {
    const run = runs.seed!
    expect(run.exitCode).toBe(1)
    expect(run.stdout).not.toMatch(/at .*index\.js:\d+/)
    const errors = run.annotations.filter((a) => a.level === 'error' && a.properties.file)
    expect(errors).toContainEqual(
      expect.objectContaining({
        properties: expect.objectContaining({ file: 'apps/myapp/base/kustomization.yaml', line: '11', title: 'kustomize/image-tag' })
      })
    )
    expect(errors).toContainEqual(
      expect.objectContaining({ properties: expect.objectContaining({ file: 'apps/myapp/overlays/dev/kustomization.yaml', line: '6' }) })
    )
    expect(Number(run.outputs.errors)).toBeGreaterThanOrEqual(7)
    expect(run.summary).toContain('### ❌ kustomize-validate')
    expect(run.summary).toContain('| ❌ error | `apps/myapp/base/kustomization.yaml:11:11` | kustomize/image-tag |')
  })

  // CEL is a chunk of the bundle, loaded only when a rule needs it: this run proves the chunk loads.
  test('custom CEL rules from gitops.yaml and ValidatingAdmissionPolicy objects report at the object', () => {
    const run = runs.cel!
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(1)
    const found = run.annotations
      .filter((a) => ['policy/team-label', 'policy/max-replicas'].includes(a.properties.title ?? ''))
      .map((a) => [a.level, a.properties.title, a.properties.file, a.message.replace(/^.*?: /, '').replace(/ \[policy\/[a-z-]+\]$/, '')])
    expect(found).toEqual(
      expect.arrayContaining([
        ['warning', 'policy/team-label', 'apps/myapp/base/deployment.yaml', 'every Deployment needs a team label'],
        ['error', 'policy/team-label', 'apps/myapp/base/deployment.yaml', 'every Deployment needs a team label'],
        ['error', 'policy/max-replicas', 'apps/myapp/base/deployment.yaml', 'at most 2 replicas, not 3']
      ])
    )
    // team-label in dev (warning), and in staging and prod (one error naming both); max-replicas in prod only
    expect(found).toHaveLength(3)
  })

  test("a value an overlay's patch or images: entry wrote is annotated there, naming the overlay; a patch aimed at nothing at its target", () => {
    const run = runs.patched!
    expect(run.exitCode).toBe(1)
    const errors = run.annotations
      .filter((a) => a.level === 'error' && a.properties.file)
      .map((a) => [a.properties.title, `${a.properties.file}:${a.properties.line}`, /\(from ([^)]*)\)/.exec(a.message)?.[1]])
    expect(errors).toEqual([
      ['latest or missing image tag', 'apps/web/overlays/prod/kustomization.yaml:10', 'apps/web/overlays/prod'],
      ['kustomize/unknown-field', 'apps/web/overlays/prod/prod-patch.yaml:6', 'apps/web/overlays/prod'],
      ['Privileged container', 'apps/web/overlays/prod/prod-patch.yaml:12', 'apps/web/overlays/prod'],
      ['kustomize/unmatched-target', 'apps/web/overlays/staging/kustomization.yaml:14', 'apps/web/overlays/staging']
    ])
  })

  test('checks selects one required check; fail-on warning fails on warnings', () => {
    const run = runs.seedFluxOnly!
    expect(run.json.checks.map((c: { check: string }) => c.check)).toEqual(['flux'])
    expect(run.annotations.some((a) => a.level === 'warning' && a.properties.title === 'flux/deprecated-api')).toBe(true)
    expect(run.exitCode).toBe(1)
  })
})

describe('changed-only on a pull request', () => {
  test('validates only the affected overlay, with the base from the event', async () => {
    const repo = GitRepo.create('config')
    cpSync(example, repo.dir, { recursive: true })
    const base = repo.commit('chore: config repo')
    repo.git('checkout', '-q', '-b', 'pr')
    const patch = readFileSync(join(example, 'apps/myapp/overlays/staging/deployment-patch.yaml'), 'utf8').replace(
      'replicas: 2',
      'replicas: 3'
    )
    repo.commit('scale staging', { 'apps/myapp/overlays/staging/deployment-patch.yaml': patch })
    const run = await runAction('validate-manifests', {
      workspace: repo.dir,
      env,
      eventName: 'pull_request',
      event: { pull_request: { number: 7, base: { sha: base }, head: { sha: repo.head() } } },
      inputs: { 'changed-only': 'true', checks: 'kustomize,flux' }
    })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.roots).toBe('apps/myapp/overlays/staging')
    expect(run.json.changedOnly).toMatchObject({ changedFiles: 1, affectedRoots: 1, totalRoots: 4 })
  })
})

describe('bad input: one clear error, exit 1, nothing written', () => {
  test.each([
    ['shard', { shard: '5/4' }, "Input 'shard': '5/4' is not valid. Expected index/total"],
    [
      'checks',
      { checks: 'kustomize, lint' },
      "Input 'checks': 'lint' is not valid. Valid values are: all, kustomize, policy, quota, flux, codeowners (or kustomize-validate, security-policy-check, quota-validation, flux-sync-validation, codeowners-check)"
    ],
    ['fail-on', { 'fail-on': 'notice' }, "Input 'fail-on': 'notice' is not valid. Valid values are: error, warning"],
    ['base-ref', { 'changed-only': 'true' }, "Input 'base-ref': changed-only mode needs a base"],
    ['sarif-file', { 'sarif-file': '../out.sarif' }, "Input 'sarif-file': '../out.sarif' leads out of the workspace"]
  ])('%s', async (_input, inputs, message) => {
    const workspace = copy(example)
    const run = await runAction('validate-manifests', { workspace, env, inputs })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toContain(message)
    expect(existsSync(join(workspace, '..', 'out.sarif'))).toBe(false)
    expect(run.outputs).toEqual({})
  })

  // GitHub places an annotation by its path from the workspace root, where the checkout may be a sub-directory.
  test.each([
    ['.', 'gitops.yaml'],
    ['./config/', 'config/gitops.yaml']
  ])('malformed gitops.yaml in working-directory %s is an error at %s:line, not a stack trace', async (directory, file) => {
    const workspace = mkdtempSync(join(tmpdir(), 'validate-ws-'))
    cpSync(example, join(workspace, directory), { recursive: true })
    writeFileSync(join(workspace, directory, 'gitops.yaml'), 'version: 1\nenvironments:\n  - name: dev\n    namespace: [\n')
    const run = await runAction('validate-manifests', { workspace, env, inputs: { checks: 'kustomize', 'working-directory': directory } })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toMatchObject({ file, line: expect.stringMatching(/^\d+$/) })
    expect(errors[0]!.message.startsWith(`validate-manifests: ${file}:${errors[0]!.properties.line}`)).toBe(true)
    expect(errors[0]!.message).not.toContain('internal error')
  })

  test('a custom rule whose CEL does not parse is an error at its gitops.yaml line', async () => {
    const workspace = copy(example)
    writeFileSync(
      join(workspace, 'gitops.yaml'),
      'version: 1\npolicy:\n  custom:\n    - id: x\n      validations:\n        - expression: "object.spec.replicas <"\n'
    )
    const run = await runAction('validate-manifests', { workspace, env, inputs: { checks: 'policy' } })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toMatchObject({ file: 'gitops.yaml', line: '6' })
    expect(errors[0]!.message).toContain('gitops.yaml:6:23: policy.custom[0].validations[0].expression: invalid CEL expression')
    expect(run.outputs).toEqual({})
  })

  test('a Kubernetes version gitops.yaml cannot mean is an error at its line, with the fix', async () => {
    const workspace = copy(example)
    writeFileSync(join(workspace, 'gitops.yaml'), 'version: 1\nkubernetes:\n  version: 1.30\n')
    const run = await runAction('validate-manifests', { workspace, env, inputs: { checks: 'kustomize' } })
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter((a) => a.level === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.properties).toMatchObject({ file: 'gitops.yaml', line: '3' })
    expect(errors[0]!.message).toContain('kubernetes.version: 1.30 is a YAML number (1.3): write the version quoted, "1.30"')
  })
})
