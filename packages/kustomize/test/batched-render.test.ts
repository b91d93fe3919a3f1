import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { expect, test } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { batchedRender, render, RenderError, type BatchRenderStats } from '../src/index.js'

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: web
`

/** The objects of a YAML stream, in a stable order: a batch lists them in resource order, a single build sorts them by kind. */
function objects(yaml: string): unknown[] {
  const parsed = parseAllDocuments(yaml).map((d) => d.toJS() as { kind: string; metadata: { name: string } })
  return parsed.filter(Boolean).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`))
}

test('batchedRender: overlays built ahead in few kustomize calls give what one build each gives; a failure stays with its overlay', async () => {
  const repo = mkdtempSync(join(tmpdir(), 'batched-'))
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources:\n- deployment.yaml\n- cm.yaml\n',
    'base/deployment.yaml': deployment,
    'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n',
    'dev/a/kustomization.yaml': 'namespace: dev\nresources:\n- ../../base\nimages:\n- name: web\n  newTag: sha-1111111\n',
    'dev/b/kustomization.yaml': 'namespace: dev\nnamePrefix: b-\nresources:\n- ../../base\nimages:\n- name: web\n  newTag: sha-2222222\n',
    'dev/c/kustomization.yaml': 'namespace: dev\nnamePrefix: c-\nresources:\n- ../../base\n',
    'prod/a/kustomization.yaml': 'namespace: prod\nresources:\n- ../../base\nimages:\n- name: web\n  newTag: v1.0.0\n',
    'prod/broken/kustomization.yaml': 'resources:\n- missing.yaml\n',
    'alone/kustomization.yaml': 'resources:\n- ../base\n'
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true })
    writeFileSync(join(repo, path), text)
  }
  const ahead = ['dev/a', 'dev/b', 'dev/c', 'prod/a', 'prod/broken'].map((dir) => ({
    directory: join(repo, dir),
    environment: dir.split('/')[0]
  }))
  const stats: BatchRenderStats = { calls: 0, splits: 0 }
  const renderer = batchedRender(repo, { concurrency: 1 }, stats)
  await renderer.renderAhead(ahead)

  // One call per environment; prod's failed and was split in two to find the overlay at fault.
  expect(stats).toEqual({ calls: 4, splits: 1 })

  for (const dir of ['dev/a', 'dev/b', 'dev/c', 'prod/a', 'alone']) {
    expect(objects(await renderer.render(join(repo, dir))), dir).toEqual(objects(await render(join(repo, dir))))
  }
  // Answered from the batch, not built again: an edit made since is not seen.
  writeFileSync(join(repo, 'dev/a/kustomization.yaml'), files['dev/a/kustomization.yaml']!.replace('sha-1111111', 'sha-9999999'))
  expect(await renderer.render(join(repo, 'dev/a'))).toContain('image: web:sha-1111111')
  const failure = await renderer.render(join(repo, 'prod/broken')).catch((error: unknown) => error)
  expect(failure).toBeInstanceOf(RenderError)
  expect((failure as RenderError).message).toMatch(/missing\.yaml/)
})
