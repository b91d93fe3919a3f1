/** The package's bin: the repository's bin script, importing the bundle from inside the package. */
export function packagedBin(binText: string): string
/** Stages the CLI package, packs it into `outDir`, returns the tarball's path. */
export function packCli(outDir: string): string
