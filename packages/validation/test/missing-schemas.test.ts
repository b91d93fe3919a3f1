import { beforeAll, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { validateRepository, type ValidateResult } from '../src/index.js'

/**
 * Custom resources whose CRD is not in the repository, in the shape of a home-ops repository's apps:
 * one operator's kind used by several apps, each app a root of its own, and a kind used once.
 */

const model = (name: string) => `---
apiVersion: litellm.example.io/v1alpha1
kind: LiteLLMModel
metadata:
  name: ${name}
spec:
  provider: local
`

let result: ValidateResult
beforeAll(async () => {
  const files: Record<string, string> = {}
  for (const app of ['chat', 'code', 'search']) {
    files[`apps/${app}/kustomization.yaml`] = 'resources:\n  - models.yaml\n'
    files[`apps/${app}/models.yaml`] = [1, 2, 3].map((n) => model(`${app}-${n}`)).join('')
  }
  files['apps/proxy/kustomization.yaml'] = 'resources:\n  - proxy.yaml\n'
  files['apps/proxy/proxy.yaml'] = 'apiVersion: litellm.example.io/v1alpha1\nkind: LiteLLMProxy\nmetadata:\n  name: proxy\n'
  result = await validateRepository({ repoRoot: fileTree(files), checks: ['kustomize'], repository: 'org/config-repo' })
}, 60_000)

test('objects of one kind without a schema are one warning at the first, naming the others with their place', () => {
  const noSchema = result.findings.filter((f) => f.ruleId === 'kustomize/no-schema')
  expect(noSchema.map((f) => [f.severity, f.location?.file, f.location?.line])).toEqual([
    ['warning', 'apps/chat/models.yaml', 2],
    ['warning', 'apps/proxy/proxy.yaml', 1]
  ])
  expect(noSchema[0]!.message).toBe(
    'LiteLLMModel/chat-1 (from apps/chat) and 8 more: no schema for LiteLLMModel (litellm.example.io/v1alpha1): ' +
      'its CustomResourceDefinition is not in this repository, so these 9 objects are not checked. The others: ' +
      'LiteLLMModel/chat-2 (from apps/chat) at apps/chat/models.yaml:9; LiteLLMModel/chat-3 (from apps/chat) at apps/chat/models.yaml:16; ' +
      'LiteLLMModel/code-1 (from apps/code) at apps/code/models.yaml:2; LiteLLMModel/code-2 (from apps/code) at apps/code/models.yaml:9; ' +
      'LiteLLMModel/code-3 (from apps/code) at apps/code/models.yaml:16, and 3 more'
  )
  // A kind seen once keeps the message it had.
  expect(noSchema[1]!.message).toBe(
    'LiteLLMProxy/proxy (from apps/proxy): no schema for LiteLLMProxy (litellm.example.io/v1alpha1): ' +
      'its CustomResourceDefinition is not in this repository, so the object is not checked'
  )
})
