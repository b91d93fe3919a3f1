import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

/**
 * Which directories are built when gitops.yaml does not say: a plain Kustomize repository (the shape
 * of stefanprodan/podinfo's deploy/ and kustomize/, argoproj/argocd-example-apps) must not pass with
 * "0 build root(s)", and a repository with nothing to build says so.
 */

const repoRoot = resolve(import.meta.dirname, '../../..')

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`

const results = {} as Record<'plain' | 'empty' | 'perEnvironment', ValidateResult>
beforeAll(async () => {
  const runs = {
    plain: join(repoRoot, 'test/fixtures/validate/plain-kustomize'),
    empty: fileTree({ 'README.md': '# docs only\n', 'docs/example.yaml': configMap('example') }),
    // One overlay per environment, no app level: the layout without {app}.
    perEnvironment: fileTree({
      'gitops.yaml': 'version: 1\nlayout:\n  overlay: clusters/{env}\nenvironments:\n  - name: dev\n  - name: prod\n',
      'clusters/dev/kustomization.yaml': 'resources:\n- config.yaml\n',
      'clusters/dev/config.yaml': configMap('settings'),
      'clusters/prod/kustomization.yaml': 'resources:\n- config.yaml\n',
      'clusters/prod/config.yaml': configMap('settings'),
      // Not in the layout, and gitops.yaml decides: not built.
      'scratch/kustomization.yaml': 'resources:\n- missing.yaml\n'
    })
  }
  await Promise.all(
    Object.entries(runs).map(async ([name, path]) => {
      results[name as keyof typeof results] = await validateRepository({ repoRoot: path, checks: ['kustomize', 'flux'] })
    })
  )
})

describe('without gitops.yaml, every Kustomize root is found', () => {
  test('overlays and standalone roots are built; bases, components and Helm chart directories are not built alone', () => {
    expect(results.plain.roots.map((r) => [r.path, r.reasons.join('+'), r.built])).toEqual([
      ['deploy/overlays/dev', 'discovered', true],
      ['deploy/overlays/production', 'discovered', true],
      ['kustomize', 'discovered', true]
    ])
    // The bases are checked through the overlays: 1 Namespace + 2 Deployments + 2 Services each.
    expect(results.plain.roots.map((r) => r.objects)).toEqual([5, 5, 1])
    expect(results.plain.findings).toEqual([])
  })

  test('a run that found nothing to build says so as a warning, not a silent pass', () => {
    expect(results.empty.roots).toEqual([])
    expect(results.empty.findings).toEqual([
      {
        ruleId: 'kustomize/nothing-checked',
        severity: 'warning',
        message:
          'Nothing was built or checked: no directory of the repository holds a kustomization.yaml, and no Flux Kustomization applies a path of this checkout',
        location: undefined
      }
    ])
  })
})

describe('layout.overlay without {app}', () => {
  test('each environment has one overlay; directories outside the layout are not built when gitops.yaml is there', () => {
    expect(results.perEnvironment.roots.map((r) => [r.path, r.environment, r.app])).toEqual([
      ['clusters/dev', 'dev', undefined],
      ['clusters/prod', 'prod', undefined]
    ])
    expect(results.perEnvironment.findings).toEqual([])
  })
})
