import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { loadGitopsConfig } from '@gitops-actions/core'
import { describe, expect, test } from 'vitest'
import { fileTree } from '../../../test/harness/file-tree.js'
import { ChangeReach } from '../src/change-reach.js'
import { kustomizationFileIn, KustomizationGraph, layoutRoots, listRepoTree, SourceFiles } from '../src/index.js'
import { kustomizationLookup } from '../src/source-files.js'

const repoRoot = resolve(import.meta.dirname, '../../..')
const fixtures = join(repoRoot, 'test/fixtures/validate')

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`

/** Kustomizations written every way a path can be: the cases a text search would get wrong. */
const tricky = () =>
  fileTree({
    'shared/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
    'shared/base/cm.yaml': configMap('shared'),
    // A named prefix, from the repository root.
    'kustomization.yaml': 'resources:\n- shared/base\n- "my dir/cm.yaml"\n',
    'my dir/cm.yaml': configMap('spaced'),
    // Generator files as key=path, flow style, a double-quoted escape, an alias, a trailing slash.
    'apps/a/overlays/dev/kustomization.yaml':
      'resources: [ "\\x2e./../base/", ../../../shared/base ]\nconfigMapGenerator:\n- name: c\n  files:\n  - app.properties=config/app.props\n  - &f other.props\n  envs:\n  - *f\n',
    'apps/a/overlays/dev/config/app.props': 'a=b\n',
    'apps/a/overlays/dev/other.props': 'c=d\n',
    'apps/a/base/kustomization.yaml': 'resources:\n- deployment.yaml\ncomponents:\n- ../../../components/probe\n',
    'apps/a/base/deployment.yaml': configMap('a'),
    'components/probe/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: probe.yaml\n',
    'components/probe/probe.yaml': configMap('probe'),
    // A value that ends in `..` and a multi-line plain scalar.
    'apps/b/overlays/dev/sub/kustomization.yaml': 'resources:\n- ../..\n- ../../../\n  ../base\n',
    'apps/b/kustomization.yaml': 'resources:\n- base\n',
    'apps/b/base/kustomization.yaml': 'resources:\n- cm.yaml\n',
    'apps/b/base/cm.yaml': configMap('b'),
    // JSON, under the third name kustomize reads; and two kustomization files in one directory.
    'apps/c/Kustomization': '{"resources": ["../b/base"], "patches": [{"path": "p.yaml"}]}',
    'apps/c/p.yaml': configMap('p'),
    'apps/d/kustomization.yaml': 'resources:\n- ../a/base\n',
    'apps/d/kustomization.yml': 'resources:\n- ../b/base\n',
    // Names js-yaml's core schema would read as numbers, where the `yaml` parser reads strings.
    'apps/g/kustomization.yaml': 'resources:\n- 0b101\n- +0o7\n',
    'apps/g/0b101/kustomization.yaml': 'resources:\n- cm.yaml\n',
    'apps/g/0b101/cm.yaml': configMap('g'),
    'apps/g/+0o7/kustomization.yaml': 'resources: []\n',
    // Into directories the listing skips, and a kustomization that does not parse.
    'apps/e/kustomization.yaml': 'resources:\n- ../../vendor/lib\n- ../../.hidden/base\n',
    'vendor/lib/kustomization.yaml': 'resources:\n- ../../shared/base/cm.yaml\n',
    '.hidden/base/kustomization.yaml': 'resources:\n- ../../apps/b/base/cm.yaml\n',
    'apps/f/kustomization.yaml': 'resources:\n- ../a/base\n  - : [\n'
  })

/** Every directory of a tree (outside .git), as repository paths. */
function directories(root: string, dir = ''): string[] {
  const found = [dir]
  for (const name of readdirSync(join(root, dir))) {
    const path = dir ? `${dir}/${name}` : name
    if (name !== '.git' && statSync(join(root, path)).isDirectory()) found.push(...directories(root, path))
  }
  return found
}

describe('ChangeReach: from the changed files back to the kustomizations that read them', () => {
  const repositories: Array<[string, () => string]> = [
    ['examples/config-repo', () => join(repoRoot, 'examples/config-repo')],
    ['the plain Kustomize fixture', () => join(fixtures, 'plain-kustomize')],
    ['the Flux clusters fixture', () => join(fixtures, 'flux-clusters')],
    ['kustomizations written every way', tricky]
  ]

  // The property the changed-only run relies on: whatever a root's exact closure holds reaches it back.
  // (Of a directory the listing skips, like .hidden/ here, the index knows nothing: callers compute its closure.)
  test.each(repositories)('%s: every listed directory whose closure holds a path is reached from that path', (_, root) => {
    const repo = root()
    const tree = listRepoTree(repo)
    const files = new SourceFiles(repo)
    const reach = new ChangeReach(tree.kustomizationFiles, (file) => files.text(file))
    const graph = new KustomizationGraph(repo)
    let pairs = 0
    for (const dir of directories(repo).filter((d) => kustomizationFileIn(repo, d) && reach.lists(d))) {
      const closure = graph.closure(dir)
      for (const path of closure.files) {
        pairs++
        expect({ dir, path, reaches: reach.from([path]).has(dir) }).toEqual({ dir, path, reaches: true })
      }
    }
    expect(pairs).toBeGreaterThan(5)
  })

  test('a change reaches only what reads it, and what cannot vouch for what it reads', () => {
    const repo = tricky()
    const files = new SourceFiles(repo)
    const reach = new ChangeReach(listRepoTree(repo).kustomizationFiles, (file) => files.text(file))
    // apps/e reads vendor/ and .hidden/, which the listing skips; apps/f does not parse: both are taken to read anything.
    const irregular = ['apps/e', 'apps/f']
    expect([...reach.from(['apps/a/overlays/dev/config/app.props'])].sort()).toEqual(['apps/a/overlays/dev', ...irregular].sort())
    expect([...reach.from(['components/probe/probe.yaml'])].sort()).toEqual(
      ['apps/a/base', 'apps/a/overlays/dev', 'apps/d', 'components/probe', ...irregular].sort()
    )
    expect([...reach.from(['README.md'])].sort()).toEqual(irregular)
  })
})

describe('the repository listing stands in for the file system', () => {
  test.each([
    ['examples/config-repo', () => join(repoRoot, 'examples/config-repo')],
    ['the plain Kustomize fixture', () => join(fixtures, 'plain-kustomize')],
    ['kustomizations written every way', tricky],
    [
      'an app named vendor, which the walk does not enter',
      () =>
        fileTree({
          'apps/vendor/overlays/dev/kustomization.yaml': 'resources:\n- cm.yaml\n',
          'apps/vendor/overlays/dev/cm.yaml': configMap('v'),
          'apps/web/overlays/dev/kustomization.yml': 'resources:\n- cm.yaml\n',
          'apps/web/overlays/dev/cm.yaml': configMap('w'),
          'apps/.old/overlays/dev/kustomization.yaml': 'resources: []\n'
        })
    ]
  ])('%s: layout overlays and kustomization files are those the file system gives', (_, root) => {
    const repo = root()
    const tree = listRepoTree(repo)
    const config = loadGitopsConfig(repo)
    expect(layoutRoots(repo, config, tree)).toEqual(layoutRoots(repo, config))
    const lookup = kustomizationLookup(repo, tree)
    for (const dir of directories(repo)) expect([dir, lookup(dir)]).toEqual([dir, kustomizationFileIn(repo, dir)])
  })
})
