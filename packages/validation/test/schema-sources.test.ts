import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { stringify } from 'yaml'
import { validateRepository, type ValidateResult } from '../src/index.js'
import { fullCrd, gotkComponentsYaml } from './full-crd.js'

/**
 * A bootstrapped Flux repository as `flux bootstrap` leaves it (gotk-components.yaml with every CRD
 * in full, descriptions at every level), an app with Gateway API, cert-manager and custom
 * resources, and gitops.yaml's `schemas:` naming a CRD file and a directory of JSON schemas.
 * Rendered once; the tests read the findings.
 */

let root: string
let outside: string
let result: ValidateResult

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), text)
}

const yaml = (...documents: unknown[]) => documents.map((d) => stringify(d)).join('---\n')

const fluxKustomization = (name: string, path: string) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
  spec: { interval: '10m0s', path, prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } }
})

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'schema-sources-'))
  outside = mkdtempSync(join(tmpdir(), 'schema-sources-outside-'))
  write(
    'gitops.yaml',
    [
      'schemas:',
      '  crds:',
      '    - platform/crds/*.yaml',
      '    - platform/missing/*.yaml',
      '  jsonSchemas:',
      '    - platform/schemas',
      '    - platform/linked',
      ''
    ].join('\n')
  )
  write('clusters/prod/flux-system/gotk-components.yaml', gotkComponentsYaml())
  write(
    'clusters/prod/flux-system/gotk-sync.yaml',
    yaml(
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'flux-system', namespace: 'flux-system' },
        spec: { interval: '1m0s', ref: { branch: 'main' }, secretRef: { name: 'flux-system' }, url: 'ssh://git@github.com/org/config-repo' }
      },
      fluxKustomization('flux-system', './clusters/prod')
    )
  )
  write('clusters/prod/flux-system/kustomization.yaml', 'resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n')
  write('clusters/prod/apps.yaml', yaml(fluxKustomization('web', './apps/web')))
  write('apps/web/kustomization.yaml', 'resources:\n  - routes.yaml\n  - certificate.yaml\n  - custom.yaml\n')
  // Line numbers matter below: each document starts where its comment says.
  write(
    'apps/web/routes.yaml',
    [
      'apiVersion: gateway.networking.k8s.io/v1', // 1
      'kind: HTTPRoute',
      'metadata:',
      '  name: web',
      'spec:',
      '  parentRefs:',
      '    - name: public',
      '  rules:',
      '    - backendRefs:',
      '        - name: web',
      '          port: 80',
      '---',
      'apiVersion: gateway.networking.k8s.io/v1', // 13
      'kind: HTTPRoute',
      'metadata:',
      '  name: api',
      'spec:',
      '  parentRefs:',
      '    - name: public',
      '  rules:',
      '    - backendRef:', // 21
      '        - name: api',
      '          port: 80',
      '---',
      'apiVersion: snapshot.storage.k8s.io/v1', // 25
      'kind: VolumeSnapshot',
      'metadata:',
      '  name: data',
      'spec:',
      '  source:',
      '    persistentVolumeClaimName: data',
      ''
    ].join('\n')
  )
  write(
    'apps/web/certificate.yaml',
    [
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: web',
      'spec:',
      '  secretName: web-tls',
      '  dnsName:', // 7
      '    - web.example.com',
      '  issuerRef:',
      '    name: letsencrypt',
      '    kind: ClusterIssuer',
      ''
    ].join('\n')
  )
  write(
    'apps/web/custom.yaml',
    [
      'apiVersion: example.com/v1',
      'kind: Widget',
      'metadata:',
      '  name: w',
      'spec:',
      '  size: 3',
      '  colour: blue', // 7
      '---',
      'apiVersion: example.com/v1',
      'kind: Gadget',
      'metadata:',
      '  name: g',
      'spec:',
      '  speed: fast', // 14
      '  power: 3',
      ''
    ].join('\n')
  )
  write(
    'platform/crds/widgets.yaml',
    yaml(
      fullCrd({
        group: 'example.com',
        kind: 'Widget',
        plural: 'widgets',
        version: 'v1',
        spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } }
      })
    )
  )
  write(
    'platform/schemas/example.com/gadget_v1.json',
    JSON.stringify({
      type: 'object',
      properties: {
        apiVersion: { type: 'string', enum: ['example.com/v1'] },
        kind: { type: 'string', enum: ['Gadget'] },
        metadata: { type: 'object' },
        spec: { type: 'object', additionalProperties: false, properties: { speed: { type: 'integer' }, power: { type: 'integer' } } }
      },
      required: ['apiVersion', 'kind']
    })
  )
  symlinkSync(outside, join(root, 'platform/linked'))
  result = await validateRepository({ repoRoot: root, checks: ['kustomize', 'flux'], repository: 'org/config-repo' })
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

const lines = () => result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.location?.file}:${f.location?.line}`)

describe('schemas on a bootstrapped Flux repository', () => {
  test('every root is rendered, gotk-components.yaml in full among them', () => {
    expect(result.roots.map((r) => [r.path, r.built])).toEqual([
      ['apps/web', true],
      ['clusters/prod', true]
    ])
  })

  test('every finding, and nothing else: the full CRDs raise nothing; each defect is at its line', () => {
    expect(lines()).toEqual([
      'error kustomize/unknown-field apps/web/custom.yaml:7',
      'error kustomize/schema apps/web/custom.yaml:14',
      'error kustomize/schema-source gitops.yaml:4',
      'error kustomize/schema-source gitops.yaml:7',
      // Another project's packaged schema may be older than the release the cluster runs: its verdicts are warnings.
      'warning kustomize/unknown-field apps/web/certificate.yaml:7',
      'warning kustomize/unknown-field apps/web/routes.yaml:21',
      'warning kustomize/no-schema apps/web/routes.yaml:25'
    ])
  })

  test('the messages name what to change', () => {
    const message = (file: string, line: number) =>
      result.findings.find((f) => f.location?.file === file && f.location.line === line)?.message
    expect(message('gitops.yaml', 4)).toBe("gitops.yaml: schemas.crds[1]: 'platform/missing/*.yaml' matches no file in the repository")
    expect(message('gitops.yaml', 7)).toBe(
      "gitops.yaml: schemas.jsonSchemas[1]: 'platform/linked' is a symlink (or goes through one) that leads out of the repository"
    )
    expect(message('apps/web/routes.yaml', 21)).toContain('unknown field spec.rules.0.backendRef (did you mean backendRefs?)')
    expect(message('apps/web/certificate.yaml', 7)).toContain(
      "unknown field spec.dnsName (did you mean dnsNames?) (by the schema of @kubernetes-models/cert-manager@6.0.0, which may be older than the cert-manager.io release your cluster runs: a warning, not an error; commit that release's CRD, or list it in gitops.yaml schemas.crds, to check against it)"
    )
    expect(message('apps/web/custom.yaml', 7)).toContain('unknown field spec.colour (did you mean color?)')
    expect(message('apps/web/custom.yaml', 14)).toContain('spec.speed must be integer')
    expect(message('apps/web/routes.yaml', 25)).toContain('no schema for VolumeSnapshot (snapshot.storage.k8s.io/v1)')
  })
})
