import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixtureCopy } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

/**
 * quota-validation counts each environment's workloads on their own, whatever puts them in their
 * namespace. In the seed's layout the overlays set no namespace: Flux's targetNamespace (or the
 * environment's namespace in gitops.yaml) places them. The dev, staging and prod Deployments then
 * rendered with one object id, only the first was counted, and an HPA maxReplicas raised past
 * staging's ResourceQuota passed.
 */

const example = resolve(import.meta.dirname, '../../../examples/config-repo')

type Placement = 'overlay namespace' | 'environment namespace' | 'Flux targetNamespace'

/** The example repository with staging's HPA raised to 12 and its quota at 10 pods, the namespace set by `placement`. */
function seedWithRaisedHpa(placement: Placement): string {
  const dir = fixtureCopy(example, 'quota-env')
  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8')
    if (!text.includes(from)) throw new Error(`${file} does not hold ${JSON.stringify(from)}`)
    writeFileSync(join(dir, file), text.replace(from, to))
  }
  edit('apps/myapp/overlays/staging/hpa-patch.yaml', 'maxReplicas: 5', 'maxReplicas: 12')
  edit('infrastructure/namespaces/app-staging.yaml', '    requests.cpu: "8"', '    requests.cpu: "8"\n    pods: "10"')
  if (placement !== 'overlay namespace') {
    for (const env of ['dev', 'staging', 'prod']) edit(`apps/myapp/overlays/${env}/kustomization.yaml`, `namespace: app-${env}\n`, '')
  }
  if (placement === 'Flux targetNamespace') {
    // gitops.yaml no longer says which namespace an environment uses: only the Flux Kustomizations do.
    for (const env of ['dev', 'staging', 'prod']) edit('gitops.yaml', `    namespace: app-${env}\n`, `    namespace: "{app}-${env}"\n`)
  }
  return dir
}

const PLACEMENTS: Placement[] = ['overlay namespace', 'environment namespace', 'Flux targetNamespace']
const results = {} as Record<Placement, ValidateResult>
beforeAll(async () => {
  await Promise.all(
    PLACEMENTS.map(async (placement) => {
      results[placement] = await validateRepository({
        repoRoot: seedWithRaisedHpa(placement),
        checks: ['quota'],
        repository: 'org/config-repo'
      })
    })
  )
})

describe('quota-validation per environment in the seed layout', () => {
  test.each(PLACEMENTS)('%s: staging over its pods quota is an error at the staging Deployment', (placement) => {
    const result = results[placement]
    expect(result.findings.map((f) => `${f.ruleId} ${f.location?.file}:${f.location?.line}`)).toEqual([
      'quota/over-quota apps/myapp/base/deployment.yaml:1'
    ])
    expect(result.findings[0]!.message).toMatch(/^app-staging: pods reaches 15 .* over 10 allowed by ResourceQuota compute/)
    expect(result.findings[0]!.message).toMatch(/Largest: Deployment\/(app-staging\/)?myapp \(15 pods\)/)
  })

  test.each(PLACEMENTS)('%s: every environment is counted, each in its own namespace', (placement) => {
    expect(results[placement].quota!.map((n) => [n.namespace, n.environment, n.pods])).toEqual([
      ['app-dev', 'dev', 2],
      ['app-prod', 'prod', 13],
      ['app-staging', 'staging', 15]
    ])
  })
})
