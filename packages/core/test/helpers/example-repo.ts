import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { render } from '@gitops-actions/kustomize'
import { manifestsFromYaml, type Manifest } from '../../src/index.js'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..')
export const exampleRepo = join(repoRoot, 'examples/config-repo')

/** The build roots of examples/config-repo and their environments. */
export const EXAMPLE_ROOTS: ReadonlyArray<[root: string, environment: string | undefined]> = [
  ['apps/myapp/overlays/dev', 'dev'],
  ['apps/myapp/overlays/staging', 'staging'],
  ['apps/myapp/overlays/prod', 'prod'],
  ['infrastructure', undefined]
]

/** Renders the example config repo with the real kustomize, root by root, as Manifests. */
export async function renderExampleRepo(): Promise<Manifest[]> {
  const rendered = await Promise.all(EXAMPLE_ROOTS.map(async ([root]) => render(join(exampleRepo, root))))
  return rendered.flatMap((yaml, i) => {
    const [root, environment] = EXAMPLE_ROOTS[i]!
    return manifestsFromYaml(yaml, `${root} (rendered)`, root, environment)
  })
}
