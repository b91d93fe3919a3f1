import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { kustomizeErrorMessage, planBatches, renderRoots, type BatchRenderStats, type RootRender } from '../src/index.js'

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'batch-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

const configMap = (name: string, namespace?: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  a: b\n`

describe('renderRoots: many roots in few kustomize calls', () => {
  const files: Record<string, string> = {
    'base/kustomization.yaml': 'resources:\n- cm.yaml\n',
    'base/cm.yaml': configMap('shared'),
    // Two overlays of one base without a namespace render the same object ID: they collide in a batch.
    'a/kustomization.yaml': 'resources:\n- ../base\n',
    'b/kustomization.yaml': 'resources:\n- ../base\n',
    'c/kustomization.yaml': 'namespace: c\nresources:\n- ../base\n- extra.yaml\n',
    'c/extra.yaml': configMap('extra'),
    'broken/kustomization.yaml': 'resources:\n- missing.yaml\n',
    'plain/one.yaml': configMap('one', 'plain'),
    'plain/two.yaml': configMap('two', 'plain'),
    // A directory without kustomization.yaml whose files define one object twice (flux2-multi-tenancy's
    // repository root: the cluster directories of staging and production).
    'clusters/staging/infra.yaml': configMap('infra', 'flux-system'),
    'clusters/production/infra.yaml': configMap('infra', 'flux-system')
  }
  let dir: string
  let results: RootRender[]
  const stats: BatchRenderStats = { calls: 0, splits: 0 }
  beforeAll(async () => {
    dir = repo(files)
    results = await renderRoots(
      dir,
      [
        { path: 'a' },
        { path: 'b' },
        { path: 'c' },
        { path: 'broken' },
        { path: 'plain', generatedResources: ['plain/one.yaml', 'plain/two.yaml'] },
        { path: '', generatedResources: ['clusters/production/infra.yaml', 'clusters/staging/infra.yaml'] }
      ],
      { concurrency: 2 },
      stats
    )
  })

  test('each root gets exactly its own objects, with their source files', () => {
    const summary = results.map((r) => [r.root, r.objects?.map((o) => `${(o.object.metadata as { name: string }).name}@${o.origin?.path}`)])
    expect(summary).toEqual([
      ['a', ['shared@base/cm.yaml']],
      ['b', ['shared@base/cm.yaml']],
      ['c', ['shared@base/cm.yaml', 'extra@c/extra.yaml']],
      ['broken', undefined],
      ['plain', ['one@plain/one.yaml', 'two@plain/two.yaml']],
      ['', undefined]
    ])
  })

  test('origin annotations are taken off the objects', () => {
    for (const result of results)
      for (const { object } of result.objects ?? []) expect(JSON.stringify(object)).not.toContain('config.kubernetes.io/origin')
  })

  test('a failing batch is split until the error belongs to its root', () => {
    const broken = results.find((r) => r.root === 'broken')!
    expect(broken.error?.directory).toBe('broken')
    expect(broken.error?.message).toContain("'missing.yaml'")
    expect(broken.error?.message).not.toContain(dir)
    expect(stats.splits).toBeGreaterThan(0)
    // The kustomization generated for a directory without one is ours: its name is not in the message, its files are repository paths.
    const generated = results.find((r) => r.root === '')!
    expect(generated.error?.message).toMatch(
      /^kustomize could not build the repository root: accumulating resources: .*merging resources from 'clusters\/staging\/infra.yaml': may not add resource/
    )
    expect(generated.error?.message).not.toMatch(/generated-\d|\.\.\//)
    expect(stats.calls).toBeLessThan(12)
  })

  // validate-manifests goes on with synchronous work (reading the repository) after starting a render:
  // the kustomize process must already be running then, not wait for the event loop.
  test('the first kustomize call starts before renderRoots returns', async () => {
    const counted: BatchRenderStats = { calls: 0, splits: 0 }
    const rendering = renderRoots(dir, [{ path: 'c' }], {}, counted)
    expect(counted.calls).toBe(1)
    const [result] = await rendering
    expect(result!.objects?.map((o) => o.object.metadata)).toEqual([
      { name: 'shared', namespace: 'c' },
      { name: 'extra', namespace: 'c' }
    ])
  })
})

describe('planBatches', () => {
  test.each([
    [10, 2, 60, [5, 5]],
    [3, 2, 60, [2, 1]],
    [200, 2, 60, [60, 60, 60, 20]]
  ])('%i roots on %i workers (at most %i a batch)', (count, workers, max, sizes) => {
    const roots = Array.from({ length: count }, (_, i) => ({ path: `r${i}` }))
    expect(planBatches(roots, workers, max).map((b) => b.length)).toEqual(sizes)
  })

  test('roots of different keys never share a batch', () => {
    const roots = ['dev', 'prod', 'dev', 'prod'].map((env, i) => ({ path: `r${i}`, batchKey: env }))
    expect(planBatches(roots, 1, 60).map((b) => b.map((r) => r.batchKey))).toEqual([
      ['dev', 'dev'],
      ['prod', 'prod']
    ])
  })
})

test.each([
  [
    'E1125 19:05:29.910699   16355 run.go:72] "command failed" err="accumulating resources: \\"x\\" failed"',
    'accumulating resources: "x" failed'
  ],
  [
    'E1125 run.go:72] "command failed" err=<\n\tmap[string]interface {}(nil): yaml: unmarshal errors:\n\t  line 5: mapping key "name" already defined\n >',
    'map[string]interface {}(nil): yaml: unmarshal errors:; line 5: mapping key "name" already defined'
  ],
  ['Error: no such file', 'no such file']
])('kustomizeErrorMessage(%j)', (stderr, message) => {
  expect(kustomizeErrorMessage(stderr)).toBe(message)
})
