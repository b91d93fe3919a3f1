import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const exampleConfigRepo = join(import.meta.dirname, '../../../examples/config-repo')

function replaceInTree(dir: string, from: string, to: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) replaceInTree(path, from, to)
    else writeFileSync(path, readFileSync(path, 'utf8').replaceAll(from, to))
  }
}

/**
 * The example config repo with copies of myapp under other names (`apps/<name>/`, image
 * ghcr.io/org/<name>), so tests can promote several apps without seeing each other's PRs.
 * `codeowners` lines are appended to CODEOWNERS.
 */
export function configFixture(apps: readonly string[], codeowners: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'promotion-config-'))
  cpSync(exampleConfigRepo, dir, { recursive: true })
  for (const app of apps) {
    cpSync(join(exampleConfigRepo, 'apps/myapp'), join(dir, 'apps', app), { recursive: true })
    replaceInTree(join(dir, 'apps', app), 'myapp', app)
  }
  if (codeowners.length > 0)
    writeFileSync(join(dir, 'CODEOWNERS'), `${readFileSync(join(dir, 'CODEOWNERS'), 'utf8')}\n${codeowners.join('\n')}\n`)
  return dir
}
