import { resolve } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  checkFlux,
  fluxScopes,
  listYamlFiles,
  resolveFluxKustomizations,
  scanFluxObjects,
  SourceFiles,
  validateRepository,
  type ValidateResult
} from '../src/index.js'

/**
 * One repository, two clusters (clusters/staging and clusters/production, each applied by its own
 * bootstrap flux-system Kustomization), with the same Kustomization names in both, as Flux's
 * flux2-kustomize-helm-example has them. dependsOn is resolved within the cluster that applies a
 * Kustomization: a target that only the other cluster has is an error, cycles are per cluster.
 */

const fixture = resolve(import.meta.dirname, '../../../test/fixtures/validate/flux-clusters')

function lines(result: ValidateResult): string[] {
  return result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line} ${f.message}`)
}

// Each run renders with real kustomize once; the tests read the shared results.
let full: ValidateResult
let stagingChange: ValidateResult
let infraChange: ValidateResult
beforeAll(async () => {
  const run = (changedFiles?: string[]) =>
    validateRepository({ repoRoot: fixture, checks: ['flux'], repository: 'org/config-repo', changedFiles })
  ;[full, stagingChange, infraChange] = await Promise.all([run(), run(['clusters/staging/cluster.yaml']), run(['infra/config.yaml'])])
})

const MONITORING_MISSING =
  'error flux/depends-on-missing clusters/staging/cluster.yaml:40 Kustomization flux-system/monitoring: dependsOn flux-system/logging names no Kustomization that clusters/staging applies; the one at clusters/production/cluster.yaml:31 is applied by clusters/production'
const PRODUCTION_CYCLE =
  'error flux/depends-on-cycle clusters/production/cluster.yaml:95 dependsOn cycle: flux-system/db → flux-system/backup → flux-system/db; Flux never applies any of them'
const DUPLICATE =
  'error flux/duplicate-kustomization extras/logging.yaml:6 Kustomization flux-system/logging is defined again here, in what clusters/production applies (first at clusters/production/cluster.yaml:31); Flux applies one over the other'

describe('dependsOn within the cluster that applies it', () => {
  test('a full run: the target only the other cluster has, the cycle of one cluster, the duplicate in one cluster, and nothing else', () => {
    // order-a waits for order-b on staging and the other way round on production: no cycle in either.
    // staging's db and backup do not wait for each other: production's cycle is its own.
    expect(lines(full)).toEqual([PRODUCTION_CYCLE, MONITORING_MISSING, DUPLICATE].sort(byFile))
  })

  test('the findings point at the dependsOn entry, the cycle and the second definition', () => {
    const at = (ruleId: string) => full.findings.find((f) => f.ruleId === ruleId)?.location
    expect(at('flux/depends-on-missing')).toMatchObject({ file: 'clusters/staging/cluster.yaml', line: 40 })
    expect(at('flux/depends-on-cycle')).toMatchObject({ file: 'clusters/production/cluster.yaml', line: 95 })
    expect(at('flux/duplicate-kustomization')?.file).toBe('extras/logging.yaml')
  })

  test('changed-only: a change to one cluster renders that cluster and still finds its missing target', () => {
    // production's db and backup apply ./infra, which the change renders: they are checked, across the Kustomizations no render holds.
    expect(lines(stagingChange)).toEqual([
      PRODUCTION_CYCLE,
      MONITORING_MISSING.replace('applied by clusters/production', 'in a cluster this run does not render')
    ])
  })

  test('changed-only: when no cluster is rendered, dependsOn is resolved across the repository as before (no false error)', () => {
    expect(lines(infraChange)).toEqual([])
  })
})

describe('fluxScopes', () => {
  const files = new SourceFiles(fixture)
  const { objects } = scanFluxObjects(files, listYamlFiles(fixture))
  const kustomizations = resolveFluxKustomizations(objects, { repository: 'org/config-repo' })
  const names = (members: Iterable<{ name: string; manifest: { location: { file: string } } }>) =>
    [...members].map((k) => `${k.manifest.location.file}:${k.name}`).sort()

  test('one scope per cluster directory; a path applied from inside a cluster belongs to that cluster', () => {
    // Each directory "renders" its YAML files as written, as kustomize does here (the full run above uses real renders).
    const yaml = listYamlFiles(fixture)
    const renders = new Map(
      ['clusters/staging', 'clusters/production', 'apps/staging', 'apps/production', 'infra', 'extras'].map((dir) => {
        const manifests = yaml.filter((f) => f.startsWith(`${dir}/`)).flatMap((f) => files.manifests(f))
        return [dir, { manifests: manifests.filter((m) => 'object' in m) }] as const
      })
    )
    const scopes = fluxScopes(kustomizations, renders)
    expect(scopes.map((s) => [s.root, s.complete])).toEqual([
      ['clusters/production', true],
      ['clusters/staging', true]
    ])
    expect(names(scopes[0]!.members)).toContain('extras/logging.yaml:logging')
    expect(names(scopes[1]!.members)).toEqual(
      ['apps', 'backup', 'db', 'infra', 'monitoring', 'order-a', 'order-b']
        .map((n) => `clusters/staging/cluster.yaml:${n}`)
        .concat('clusters/staging/flux-system/gotk-sync.yaml:flux-system')
        .sort()
    )
  })

  test('without renders every Kustomization is checked repository-wide, as before', () => {
    expect(fluxScopes(kustomizations, new Map())).toEqual([])
    const findings = checkFlux(objects, kustomizations, { repoRoot: fixture, files, renders: new Map() })
    expect(findings.filter((f) => f.ruleId.startsWith('flux/depends-on') || f.ruleId === 'flux/duplicate-kustomization')).toEqual([])
  })
})

function byFile(a: string, b: string): number {
  return a.split(' ')[2]!.localeCompare(b.split(' ')[2]!)
}
