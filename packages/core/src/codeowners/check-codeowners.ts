import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GitopsConfig } from '../config/gitops-config.js'
import type { Finding } from '../finding.js'
import {
  codeownersFilesIn,
  compilePattern,
  parseCodeowners,
  ruleFor,
  normalizePath,
  ownerSatisfies,
  type CodeownersProblemKind,
  type CodeownersRule
} from './codeowners-file.js'

/** Rule ids of the codeowners check, stable for searching and filtering. */
export const CODEOWNERS_RULE_IDS = {
  missing: 'codeowners/missing',
  ignoredFile: 'codeowners/ignored-file',
  tooLarge: 'codeowners/too-large',
  invalidPattern: 'codeowners/invalid-pattern',
  unsupportedSyntax: 'codeowners/unsupported-syntax',
  invalidOwner: 'codeowners/invalid-owner',
  neverMatches: 'codeowners/never-matches',
  noOwners: 'codeowners/no-owners',
  protectedPath: 'codeowners/protected-path',
  unownedCodeowners: 'codeowners/unowned-codeowners'
} as const

const ruleIdOfKind: Record<CodeownersProblemKind, string> = {
  'Too large': CODEOWNERS_RULE_IDS.tooLarge,
  'Invalid pattern': CODEOWNERS_RULE_IDS.invalidPattern,
  'Unsupported syntax': CODEOWNERS_RULE_IDS.unsupportedSyntax,
  'Invalid owner': CODEOWNERS_RULE_IDS.invalidOwner,
  'Never matches': CODEOWNERS_RULE_IDS.neverMatches,
  'No owners': CODEOWNERS_RULE_IDS.noOwners
}

/** What the codeowners check looks at: the repository root and its files (relative paths, e.g. from `git ls-files`). */
export interface CodeownersRepo {
  root: string
  files: string[]
}

/**
 * The codeowners check: the CODEOWNERS file GitHub would use is valid line by line, every file
 * under a protected path (gitops.yaml `codeowners.protectedPaths`) is owned by the required
 * owners through the rule that wins for it, and CODEOWNERS itself is owned.
 */
export function checkCodeowners(repo: CodeownersRepo, config: GitopsConfig): Finding[] {
  const settings = config.codeowners
  const present = codeownersFilesIn(repo.root)
  const file = present[0]
  const files = [...new Set(repo.files.map(normalizePath))].sort()
  if (file === undefined) {
    // Without CODEOWNERS, only files under a protected path lack their owners (a repository without
    // such files, like Flux's example repositories without the default apps/*/overlays/prod/, has nothing to protect).
    const guarded = settings.protectedPaths
      .map((target) => ({ target, files: files.filter((path) => compilePattern(target.pattern)?.test(path)) }))
      .filter((entry) => entry.files.length > 0)
    if (guarded.length === 0) return []
    return [
      {
        ruleId: CODEOWNERS_RULE_IDS.missing,
        severity: 'error',
        message: `No CODEOWNERS file (GitHub looks for .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS), so nobody's review is required for ${guarded
          .map(
            (entry) =>
              `${listFiles(entry.files)} under protected path \`${entry.target.pattern}\` (to be owned by ${entry.target.owners.join(' ')})`
          )
          .join('; ')} (${config.file ?? 'the default configuration'}: codeowners.protectedPaths)`,
        location: config.file ? { file: config.file, line: 1 } : undefined
      }
    ]
  }

  const findings: Finding[] = present.slice(1).map((ignored) => ({
    ruleId: CODEOWNERS_RULE_IDS.ignoredFile,
    severity: 'warning' as const,
    message: `${ignored} is ignored: GitHub uses only the first CODEOWNERS it finds, here ${file}. Merge its rules into ${file} and delete it.`,
    location: { file: ignored, line: 1 }
  }))

  const codeowners = parseCodeowners(readFileSync(join(repo.root, file), 'utf8'), file)
  for (const problem of codeowners.problems) {
    findings.push({
      ruleId: ruleIdOfKind[problem.kind],
      severity: problem.severity,
      message: problem.message,
      location: { file, line: problem.line, column: problem.column }
    })
  }

  for (const target of settings.protectedPaths) {
    const matcher = compilePattern(target.pattern)
    const groups = new Map<string, { rule: CodeownersRule | undefined; missing: string[]; files: string[] }>()
    for (const path of files) {
      if (!matcher?.test(path)) continue
      const rule = ruleFor(codeowners, path)
      const missing = target.owners.filter((required) => !(rule?.owners ?? []).some((owner) => ownerSatisfies(required, owner)))
      if (missing.length === 0) continue
      const key = `${rule?.line ?? 0}\0${missing.join(' ')}`
      const group = groups.get(key) ?? { rule, missing, files: [] }
      group.files.push(path)
      groups.set(key, group)
    }
    for (const group of groups.values()) {
      const where = group.rule
        ? `its owners come from line ${group.rule.line} \`${group.rule.pattern}\` (${group.rule.owners.join(' ') || 'no owners'}), the last pattern that matches`
        : `no CODEOWNERS pattern matches it`
      findings.push({
        ruleId: CODEOWNERS_RULE_IDS.protectedPath,
        severity: 'error',
        title: `Protected path ${target.pattern} lacks required owners`,
        message: `${listFiles(group.files)} under protected path \`${target.pattern}\` must be owned by ${target.owners.join(' ')}, but ${where}: missing ${group.missing.join(' ')}. Add a later line \`${target.pattern} ${target.owners.join(' ')}\` to ${file} (configured in ${config.file ?? 'the default configuration'}: codeowners.protectedPaths).`,
        location: group.rule ? { file, line: group.rule.line } : { file: group.files[0]!, line: 1 }
      })
    }
  }

  if (settings.protectSelf) {
    const rule = ruleFor(codeowners, file)
    if (!rule || rule.owners.length === 0) {
      findings.push({
        ruleId: CODEOWNERS_RULE_IDS.unownedCodeowners,
        severity: 'error',
        message: `${file} has no code owner${rule ? ` (line ${rule.line} \`${rule.pattern}\` matches it with no owners)` : ''}: anyone with write access could change who must review. Add a last line \`/${file} @org/platform-team\`.`,
        location: { file, line: rule?.line ?? 1 }
      })
    }
  }
  return findings
}

function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ')
  return files.length > 3 ? `${shown} and ${files.length - 3} more files` : shown
}
