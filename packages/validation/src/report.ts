import {
  formatLocation,
  prefixLocation,
  renderStatusMarkdown,
  SUITE_HOME,
  SUITE_VERSION,
  type Finding,
  type Resources,
  type Severity
} from '@gitops-actions/core'
import type { CheckReport, ValidateResult } from './validate.js'

/** Reports of a validation run: the job summary (one table per check) and SARIF for code scanning. */

const ICON: Record<CheckReport['status'], string> = { passed: '✅', failed: '❌' }

/** Markdown for the job summary; `table` renders rows (action-kit's markdownTable). */
export function renderSummary(
  result: ValidateResult,
  table: (headings: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>) => string,
  maxRowsPerCheck = 200
): string {
  const lines: string[] = ['## validate-manifests', '']
  const scope = result.changedOnly
    ? result.changedOnly.everything
      ? `changed-only: ${result.changedOnly.changedFiles} changed file(s) include gitops.yaml, so every root was checked`
      : `changed-only: ${result.changedOnly.changedFiles} changed file(s) affect ${result.changedOnly.affectedRoots} of ${result.changedOnly.totalRoots} build root(s)`
    : `${result.roots.length} build root(s)`
  const shard = result.shard ? `, shard ${result.shard.index}/${result.shard.total}` : ''
  lines.push(
    `${scope}${shard}, ${result.stats.objects} rendered object(s), ${result.stats.renderCalls} kustomize call(s), ${(result.stats.durationMs / 1000).toFixed(1)} s`,
    ''
  )
  lines.push(
    table(
      ['check', 'status', 'errors', 'warnings', 'notices', ''],
      result.checks.map((c) => [
        `\`${c.title}\``,
        `${ICON[c.status]} ${c.status}`,
        c.counts.error,
        c.counts.warning,
        c.counts.notice,
        c.note
      ])
    ),
    ''
  )
  for (const check of result.checks) {
    lines.push(`### ${ICON[check.status]} ${check.title}`, '')
    if (check.findings.length === 0) {
      lines.push('No findings.', '')
    } else {
      const rows = check.findings
        .slice(0, maxRowsPerCheck)
        .map((f) => [severityLabel(f.severity), f.location ? `\`${formatLocation(f.location)}\`` : '', f.ruleId, f.message])
      lines.push(table(['severity', 'where', 'rule', 'finding'], rows), '')
      if (check.findings.length > maxRowsPerCheck)
        lines.push(`_${check.findings.length - maxRowsPerCheck} more in the \`json\` output._`, '')
    }
    if (check.check === 'quota' && result.quota && result.quota.length > 0) {
      lines.push(
        table(
          ['namespace', 'environment', 'requests', 'limits', 'quota', 'budget', 'headroom'],
          result.quota.map((q) => [
            q.namespace,
            q.environment ?? '',
            resources(q.requests),
            resources(q.limits),
            resources(q.quota?.requests, q.quota?.limits, q.quota?.pods),
            resources(q.budget?.requests, q.budget?.limits, q.budget?.pods),
            resources(q.headroom.requests, q.headroom.limits, q.headroom.pods)
          ])
        ),
        ''
      )
    }
  }
  if (result.environmentStatus) lines.push(renderStatusMarkdown(result.environmentStatus, { headingLevel: 3 }))
  return lines.join('\n')
}

/** `cpu 1500m, memory 3Gi`; a ResourceQuota-style total prefixes `requests.`/`limits.` and adds pods. */
function resources(values: Resources | undefined, limits?: Resources, pods?: number): string {
  const entries =
    limits === undefined && pods === undefined
      ? Object.entries(values ?? {})
      : [
          ...Object.entries(values ?? {}).map(([k, v]) => [`requests.${k}`, v] as const),
          ...Object.entries(limits ?? {}).map(([k, v]) => [`limits.${k}`, v] as const),
          ...(pods === undefined ? [] : [['pods', String(pods)] as const])
        ]
  return entries.map(([k, v]) => `${k} ${v}`).join(', ')
}

function severityLabel(severity: Severity): string {
  return severity === 'error' ? '❌ error' : severity === 'warning' ? '⚠️ warning' : 'ℹ️ notice'
}

/**
 * SARIF 2.1.0, one run, rules from the findings' rule ids; for github/codeql-action/upload-sarif.
 * Findings' files are URIs under %SRCROOT%, so they must be relative to the repository's root. The
 * driver's version is the release that made the report, so code scanning can tell runs of two releases apart,
 * and its informationUri the repository package.json names (a fork's own after `npm run adopt`).
 */
export function toSarif(findings: readonly Finding[], toolVersion: string = SUITE_VERSION): object {
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort()
  const level = (s: Severity) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note')
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gitops-actions validate-manifests',
            version: toolVersion,
            ...(SUITE_HOME ? { informationUri: SUITE_HOME } : {}),
            rules: rules.map((id) => ({ id, name: id.replace(/[^A-Za-z0-9]+/g, '-'), shortDescription: { text: id } }))
          }
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: rules.indexOf(f.ruleId),
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.location?.file ?? '.', uriBaseId: '%SRCROOT%' },
                region: { startLine: f.location?.line ?? 1, ...(f.location?.column ? { startColumn: f.location.column } : {}) }
              }
            }
          ]
        }))
      }
    ]
  }
}

/** Findings' files as workspace paths when the repository is checked out in a sub-directory (see core's prefixLocation). */
export function withPathPrefix(result: ValidateResult, prefix: string): ValidateResult {
  const move = (f: Finding): Finding => (f.location ? { ...f, location: prefixLocation(f.location, prefix) } : f)
  return {
    ...result,
    findings: result.findings.map(move),
    checks: result.checks.map((c) => ({ ...c, findings: c.findings.map(move) }))
  }
}
