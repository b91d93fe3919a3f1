import { beforeAll, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

/**
 * A rendered object is found again in the file kustomize names as its origin by kind and name, and
 * also by API group and namespace: one file can hold a v1 ServiceAccount and a talos.dev one of the
 * same name (as a home-ops repo's runner RBAC does), or one Deployment name in two namespaces.
 */

const RBAC = `---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: talos.dev/v1alpha1
kind: ServiceAccount
metadata:
  name: runner
spec:
  roles:
    - os:admin
`

const deployment = (namespace: string, privileged: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.2.3
          securityContext:
            privileged: ${privileged}
`

let result: ValidateResult
beforeAll(async () => {
  const root = fileTree({
    'runner/kustomization.yaml': 'resources:\n  - rbac.yaml\n',
    'runner/rbac.yaml': RBAC,
    'web/kustomization.yaml': 'resources:\n  - deployments.yaml\n',
    'web/deployments.yaml': `${deployment('blue', false)}---\n${deployment('green', true)}`
  })
  result = await validateRepository({ repoRoot: root, checks: ['kustomize', 'policy'], repository: 'org/config-repo' })
}, 60_000)

test('the talos.dev ServiceAccount is reported at its own document, not at the v1 one of the same name', () => {
  const noSchema = result.findings.filter((f) => f.ruleId === 'kustomize/no-schema')
  expect(noSchema.map((f) => [f.location?.file, f.location?.line])).toEqual([['runner/rbac.yaml', 7]])
  expect(noSchema[0]!.message).toContain('talos.dev/v1alpha1')
})

test('one Deployment name in two namespaces: the privileged one is reported at its own document', () => {
  const privileged = result.findings.filter((f) => f.ruleId.endsWith('privileged-container'))
  expect(privileged.map((f) => [f.location?.file, f.location?.line])).toEqual([['web/deployments.yaml', 35]])
})
