import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixtureCopy } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

/**
 * HelmRelease valuesFrom in the shape of flux2-monitoring-example: the values ConfigMap comes from
 * a configMapGenerator, and a kustomizeconfig nameReference makes the release follow its hashed
 * name. Each reference is resolved against what the Kustomization applying the release renders.
 */

const shape = resolve(import.meta.dirname, '../../../test/fixtures/validate/flux-example-shapes/monitoring')
const STACK = 'monitoring/controllers/kube-prometheus-stack'
const ENTRY = `    - kind: ConfigMap
      name: flux-kube-state-metrics-config
      valuesKey: kube-state-metrics-config.yaml
`

function withEdits(edits: Record<string, [string, string]>): string {
  const dir = fixtureCopy(shape, 'values-from')
  for (const [file, [from, to]] of Object.entries(edits)) {
    const text = readFileSync(join(dir, file), 'utf8')
    if (!text.includes(from)) throw new Error(`${file} does not hold ${JSON.stringify(from)}`)
    writeFileSync(join(dir, file), text.replace(from, to))
  }
  return dir
}

const results = {} as Record<'clean' | 'mistakes' | 'hashed', ValidateResult>
beforeAll(async () => {
  const repos = {
    clean: shape,
    // Line 20 is `valuesFrom:`; the entries start at 21, 24, 27, 31.
    mistakes: withEdits({
      [`${STACK}/release.yaml`]: [
        ENTRY,
        `    - kind: ConfigMap
      name: flux-kube-state-metrics-config
      valuesKey: kube-state-metrics.yaml
    - kind: ConfigMap
      name: flux-kube-state-metric-config
      valuesKey: kube-state-metrics-config.yaml
    - kind: Secret
      name: alertmanager-secrets
      valuesKey: values.yaml
      optional: true
    - kind: Secret
      name: grafana-admin
`
      ]
    }),
    // Without the nameReference configuration the release keeps the name the generator hashes.
    hashed: withEdits({ [`${STACK}/kustomization.yaml`]: ['configurations:\n  - kustomizeconfig.yaml\n', ''] })
  }
  await Promise.all(
    Object.entries(repos).map(async ([name, repoRoot]) => {
      results[name as keyof typeof results] = await validateRepository({ repoRoot, checks: ['flux'], repository: 'org/monitoring' })
    })
  )
})

function valuesFindings(result: ValidateResult): string[] {
  return result.findings
    .filter((f) => f.message.includes('spec.valuesFrom'))
    .map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line}`)
}

describe('HelmRelease valuesFrom', () => {
  test('a generated ConfigMap that the release follows through nameReference resolves', () => {
    expect(valuesFindings(results.clean)).toEqual([])
  })

  test('a missing key, a name typo and a name nothing renders are found at their entry; an optional entry is not', () => {
    expect(valuesFindings(results.mistakes)).toEqual([
      `error flux/reference-not-found ${STACK}/release.yaml:23`,
      `error flux/reference-not-found ${STACK}/release.yaml:25`,
      `warning flux/reference-not-found ${STACK}/release.yaml:32`
    ])
    const [key, typo, missing] = results.mistakes.findings.filter((f) => f.message.includes('spec.valuesFrom')).map((f) => f.message)
    // The release names the generated ConfigMap as nameReference rewrote it, with its hash.
    expect(key!.replace(/-[a-z0-9]{10} has/, '-<hash> has')).toBe(
      `HelmRelease/monitoring/kube-prometheus-stack: spec.valuesFrom[0] ConfigMap/monitoring/flux-kube-state-metrics-config-<hash> has no key kube-state-metrics.yaml (${STACK}/kustomization.yaml:9 holds kube-state-metrics-config.yaml); set valuesKey to the key that holds the values`
    )
    expect(typo).toMatch(
      /spec\.valuesFrom\[1\] ConfigMap\/monitoring\/flux-kube-state-metric-config names no ConfigMap this repository renders; did you mean flux-kube-state-metrics-config \(monitoring\/controllers\/kube-prometheus-stack\/kustomization.yaml:9\)\?$/
    )
    expect(missing).toMatch(
      /spec\.valuesFrom\[3\] Secret\/monitoring\/grafana-admin names no Secret this repository renders \(made in the cluster\?\)/
    )
  })

  test('a generated name whose hash suffix the release does not follow is an error naming the fix', () => {
    expect(valuesFindings(results.hashed)).toEqual([`error flux/reference-not-found ${STACK}/release.yaml:22`])
    expect(results.hashed.findings.find((f) => f.message.includes('spec.valuesFrom'))!.message).toContain(
      'with a hash suffix the release does not follow; set generatorOptions.disableNameSuffixHash: true or a nameReference configuration for spec/valuesFrom/name'
    )
  })
})
