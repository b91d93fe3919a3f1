import manifest from '../../../package.json' with { type: 'json' }

/**
 * The version of gitops-actions this code was built from: the root package.json's, which a release
 * tags as vX.Y.Z. The bundler inlines it, so a bundle knows its version wherever it runs.
 */
export const SUITE_VERSION: string = manifest.version
