#!/usr/bin/env node
// Packs the command line as an npm package: `npm run pack-cli [-- --out DIR]` writes
// gitops-actions-<version>.tgz, whose `gitops-actions` bin runs the self-contained bundle of
// dist/cli/ (no dependencies, no node_modules). Use it without installing:
//
//   npx --yes --package ./gitops-actions-1.0.0.tgz gitops-actions validate .
//
// dist/cli/ must be built (npm run build); the release attaches the tarball to its GitHub Release.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { repositoryOf } from './lib/repository.mjs'

const root = resolve(fileURLToPath(import.meta.url), '../..')

/** The package's bin: the repository's bin script, importing the bundle from inside the package. */
export function packagedBin(binText) {
  const from = "await import('../../../dist/cli/index.js')"
  if (!binText.includes(from)) throw new Error(`packages/cli/bin/gitops-actions.js must end with ${from}`)
  return binText.replace(from, "await import('../dist/index.js')")
}

/** Stages the package in a temporary directory, packs it into `outDir`, returns the tarball's path. */
export function packCli(outDir) {
  const bundle = join(root, 'dist', 'cli', 'index.js')
  if (!existsSync(bundle)) throw new Error('dist/cli/index.js is missing: run npm run build first')
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const stage = mkdtempSync(join(tmpdir(), 'pack-cli-'))
  try {
    cpSync(join(root, 'dist', 'cli'), join(stage, 'dist'), { recursive: true })
    mkdirSync(join(stage, 'bin'))
    writeFileSync(
      join(stage, 'bin', 'gitops-actions.js'),
      packagedBin(readFileSync(join(root, 'packages', 'cli', 'bin', 'gitops-actions.js'), 'utf8')),
      {
        mode: 0o755
      }
    )
    cpSync(join(root, 'LICENSE'), join(stage, 'LICENSE'))
    writeFileSync(
      join(stage, 'README.md'),
      `# gitops-actions (command line)\n\nThe checks and steps of the gitops-actions GitHub Actions on your machine: \`gitops-actions --help\`.\n` +
        `Documentation: https://github.com/${repositoryOf(manifest)}#the-command-line\n`
    )
    writeFileSync(
      join(stage, 'package.json'),
      JSON.stringify(
        {
          name: 'gitops-actions',
          version: manifest.version,
          description: manifest.description,
          license: manifest.license,
          repository: manifest.repository,
          type: 'module',
          bin: { 'gitops-actions': 'bin/gitops-actions.js' },
          engines: { node: '>=20' },
          files: ['bin', 'dist', 'LICENSE', 'README.md']
        },
        null,
        2
      ) + '\n'
    )
    mkdirSync(outDir, { recursive: true })
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    })
    return join(outDir, JSON.parse(out)[0].filename)
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out')
  try {
    console.log(packCli(resolve(at > 0 ? process.argv[at + 1] : root)))
  } catch (error) {
    console.error(`pack-cli: ${error.message}`)
    process.exit(1)
  }
}
