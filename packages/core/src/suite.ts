import manifest from '../../../package.json' with { type: 'json' }
import { repositoryOf } from '../../../scripts/lib/repository.mjs'

// What gitops-actions says about itself, from the root package.json: the version a release tags, and
// the repository it is published as (which `npm run adopt` rewrites for a fork or an internal copy).
// The bundler inlines the fields read here, so a bundle knows them wherever it runs.

/** The version of gitops-actions this code was built from, which a release tags as vX.Y.Z. */
export const SUITE_VERSION: string = manifest.version

/** The home page of this copy of gitops-actions (package.json's repository on GitHub), or undefined when it names none. */
export const SUITE_HOME: string | undefined = repositoryHome({ repository: manifest.repository })

/** `https://github.com/<owner>/<name>` of a package.json manifest's `repository`, or undefined when it names no GitHub repository. */
export function repositoryHome(manifest: unknown): string | undefined {
  const repository = repositoryOf(manifest)
  return repository === undefined ? undefined : `https://github.com/${repository}`
}
