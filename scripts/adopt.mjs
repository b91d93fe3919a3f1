#!/usr/bin/env node
// Makes this checkout a copy of gitops-actions published as another repository (a fork, or an
// organisation's internal copy), without hand edits:
//
//   npm run adopt -- acme/gitops-actions
//
// package.json's `repository` names the new owner/name, and every `<old owner>/<old name>/…` in the
// workflow templates, the reusable workflows, the examples' workflows and the docs names the new one;
// then the reusable workflows are generated again. The release (`npm run release`) pins the released
// workflows to this name, and refuses to run in a repository the name does not match.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { escapeRegExp, isRepositoryName, repositoryOf } from './lib/repository.mjs'

const root = resolve(fileURLToPath(import.meta.url), '../..')

/** The tracked files that name the repository: workflows and docs, not history (CHANGELOG), builds or tests. */
export function adoptedFiles(files) {
  return files.filter(
    (file) => /\.(ya?ml|md)$/.test(file) && !/^(dist|node_modules)\//.test(file) && !/(^|\/)test\//.test(file) && file !== 'CHANGELOG.md'
  )
}

/** `text` with every mention of `from` as a whole name (`from/…`, `from@…`, `from`) naming `to`. */
export function renameRepository(text, from, to) {
  return text.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(from)}(?![\\w-]|\\.\\w)`, 'g'), to)
}

/** `manifest` (package.json) as published as `target` (owner/name): its `repository` names it. */
export function adoptedManifest(manifest, target) {
  return { ...manifest, repository: { type: 'git', url: `git+https://github.com/${target}.git` } }
}

function main() {
  const [target, ...rest] = process.argv.slice(2)
  if (!target || rest.length > 0 || !isRepositoryName(target)) {
    console.error('usage: npm run adopt -- <owner>/<name>   (the GitHub repository this copy is published as)')
    process.exit(2)
  }
  const manifestFile = join(root, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
  const current = repositoryOf(manifest)
  if (!current) {
    console.error('package.json: "repository" does not name a GitHub repository (github.com/<owner>/<name>)')
    process.exit(1)
  }
  if (current === target) {
    console.log(`already ${target}`)
    return
  }
  writeFileSync(manifestFile, JSON.stringify(adoptedManifest(manifest, target), null, 2) + '\n')
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean)
  let changed = 1
  for (const file of adoptedFiles(tracked)) {
    const text = readFileSync(join(root, file), 'utf8')
    const renamed = renameRepository(text, current, target)
    if (renamed !== text) {
      writeFileSync(join(root, file), renamed)
      changed++
    }
  }
  execFileSync(process.execPath, [join(root, 'scripts', 'workflows.mjs')], { cwd: root, stdio: 'inherit' })
  console.log(`${current} → ${target}: ${changed} file(s) changed. Review with git diff, then commit.`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()
