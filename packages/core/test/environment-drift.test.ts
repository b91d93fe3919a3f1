import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { render } from '@gitops-actions/kustomize'
import { beforeAll, describe, expect, test } from 'vitest'
import { mermaidBlocks, parseFlowchart, parseMermaid } from '../../../test/harness/mermaid.js'
import {
  collectEnvironmentStatus,
  renderPromotionDiagram,
  renderStatusMarkdown,
  renderStatusTable,
  type EnvironmentDrift,
  type EnvironmentStatus
} from '../src/index.js'

const EXAMPLE = join(import.meta.dirname, '../../../examples/config-repo')

/*
 * A config repo where environments lag and drift, as they do in real life:
 * - api: staging runs v1.4.0, prod v1.2.3 (2 minor versions behind). Staging has a resources
 *   patch prod lacks, the two set LOG_FORMAT differently, prod has a PodDisruptionBudget staging
 *   has not. Replicas, generated ConfigMap values (and so their hash suffixes) and namespaced
 *   URLs differ too, and must not be reported.
 * - web: dev and staging run different commits; staging's version label says 2.0.0, the version
 *   prod's tag names; no drift but replicas and that label.
 * - worker: no prod overlay.
 */
function laggingRepo(): string {
  const files: Record<string, string> = {
    'apps/api/base/kustomization.yaml': [
      'resources: [deployment.yaml]',
      'configMapGenerator:',
      '- name: api-config',
      '  literals: [CACHE_TTL=60]'
    ].join('\n'),
    'apps/api/base/deployment.yaml': deployment('api', ['        envFrom:', '        - configMapRef:', '            name: api-config']),
    'apps/api/overlays/dev/kustomization.yaml': overlay('api', 'app-dev', 'sha-1111111', ['deployment-patch.yaml']),
    'apps/api/overlays/dev/deployment-patch.yaml': envPatch('api', 1, { LOG_FORMAT: 'json', DB_URL: 'postgres://db.app-dev.svc:5432/api' }),
    'apps/api/overlays/staging/kustomization.yaml':
      overlay('api', 'app-staging', 'v1.4.0', ['deployment-patch.yaml', 'resources-patch.yaml']) +
      'configMapGenerator:\n- name: api-config\n  behavior: merge\n  literals: [CACHE_TTL=5]\n',
    'apps/api/overlays/staging/deployment-patch.yaml': envPatch('api', 2, {
      LOG_FORMAT: 'json',
      DB_URL: 'postgres://db.app-staging.svc:5432/api'
    }),
    'apps/api/overlays/staging/resources-patch.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: api',
      '        resources:',
      '          limits:',
      '            memory: 512Mi'
    ].join('\n'),
    'apps/api/overlays/prod/kustomization.yaml': overlay('api', 'app-prod', 'v1.2.3', ['deployment-patch.yaml'], ['pdb.yaml']),
    'apps/api/overlays/prod/deployment-patch.yaml': envPatch('api', 3, {
      LOG_FORMAT: 'text',
      DB_URL: 'postgres://db.app-prod.svc:5432/api'
    }),
    'apps/api/overlays/prod/pdb.yaml': [
      'apiVersion: policy/v1',
      'kind: PodDisruptionBudget',
      'metadata:',
      '  name: api',
      'spec:',
      '  minAvailable: 1',
      '  selector:',
      '    matchLabels:',
      '      app: api'
    ].join('\n'),
    'apps/web/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'apps/web/base/deployment.yaml': deployment('web', []),
    'apps/web/overlays/dev/kustomization.yaml': overlay('web', 'app-dev', 'sha-aaaaaaa', []),
    'apps/web/overlays/staging/kustomization.yaml':
      overlay('web', 'app-staging', 'web-staging-bbbbbbb', []) + 'labels:\n- pairs:\n    app.kubernetes.io/version: "2.0.0"\n',
    'apps/web/overlays/prod/kustomization.yaml': overlay('web', 'app-prod', 'web-v2.0.0', ['replicas-patch.yaml']),
    'apps/web/overlays/prod/replicas-patch.yaml': envPatch('web', 4, {}),
    'apps/worker/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'apps/worker/base/deployment.yaml': deployment('worker', []),
    'apps/worker/overlays/dev/kustomization.yaml': overlay('worker', 'app-dev', 'sha-ccccccc', []),
    'apps/worker/overlays/staging/kustomization.yaml': overlay('worker', 'app-staging', 'worker-staging-ccccccc', [])
  }
  return writeRepo('lagging', files)
}

/** Writes a config repo from a path → content table into a fresh temp dir. */
function writeRepo(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content.endsWith('\n') ? content : `${content}\n`)
  }
  return dir
}

function deployment(app: string, extra: string[]): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${app}`,
    'spec:',
    '  replicas: 1',
    '  selector:',
    '    matchLabels:',
    `      app: ${app}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${app}`,
    '    spec:',
    '      containers:',
    `      - name: ${app}`,
    `        image: ${app}`,
    '        resources:',
    '          limits:',
    '            memory: 256Mi',
    ...extra
  ].join('\n')
}

function overlay(app: string, namespace: string, tag: string, patches: string[], resources: string[] = []): string {
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${namespace}`,
    'resources:',
    '- ../../base',
    ...resources.map((r) => `- ${r}`),
    ...(patches.length > 0 ? ['patches:', ...patches.map((p) => `- path: ${p}`)] : []),
    'images:',
    `- name: ${app}`,
    `  newName: registry.example.com/org/${app}`,
    `  newTag: "${tag}"`,
    ''
  ].join('\n')
}

function envPatch(app: string, replicas: number, env: Record<string, string>): string {
  const lines = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${app}`, 'spec:', `  replicas: ${replicas}`]
  if (Object.keys(env).length > 0) {
    lines.push('  template:', '    spec:', '      containers:', `      - name: ${app}`, '        env:')
    for (const [name, value] of Object.entries(env)) lines.push(`        - name: ${name}`, `          value: "${value}"`)
  }
  return lines.join('\n')
}

/** Two environments; `svc` gets a sidecar in staging only, `broken` has a staging overlay kustomize refuses. */
function sidecarRepo(): string {
  const files: Record<string, string> = {
    'gitops.yaml': 'environments:\n  - name: dev\n  - name: staging\n',
    'apps/svc/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'apps/svc/base/deployment.yaml': deployment('svc', []),
    'apps/svc/overlays/dev/kustomization.yaml': overlay('svc', 'app-dev', 'sha-1234567', []),
    'apps/svc/overlays/staging/kustomization.yaml': overlay('svc', 'app-staging', 'svc-staging-1234567', ['sidecar-patch.yaml']),
    'apps/svc/overlays/staging/sidecar-patch.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: svc',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: proxy',
      '        image: envoyproxy/envoy:v1.31.0'
    ].join('\n'),
    'apps/broken/base/kustomization.yaml': 'resources: [deployment.yaml]\n',
    'apps/broken/base/deployment.yaml': deployment('broken', []),
    'apps/broken/overlays/dev/kustomization.yaml': overlay('broken', 'app-dev', 'sha-7654321', []),
    'apps/broken/overlays/staging/kustomization.yaml': overlay('broken', 'app-staging', 'broken-staging-7654321', ['missing-patch.yaml'])
  }
  return writeRepo('sidecar', files)
}

let lagging: EnvironmentStatus
let example: EnvironmentStatus
let sidecar: EnvironmentStatus

beforeAll(async () => {
  const repo = laggingRepo()
  // Each overlay is rendered once here and shared by every test below.
  ;[lagging, example, sidecar] = await Promise.all([
    collectEnvironmentStatus(repo, { render, concurrency: 1 }),
    collectEnvironmentStatus(EXAMPLE, { render, concurrency: 1 }),
    collectEnvironmentStatus(sidecarRepo(), { render, concurrency: 1 })
  ])
})

function driftOf(status: EnvironmentStatus, app: string, from: string, to: string): EnvironmentDrift {
  const drift = status.drift!.find((d) => d.app === app && d.from === from && d.to === to)
  if (!drift) throw new Error(`no drift entry for ${app} ${from} → ${to}`)
  return drift
}

describe('lag between environments', () => {
  test('each step of each app, with versions compared where tags carry them', () => {
    expect(lagging.apps.map((a) => [a.app, a.steps.map((s) => [s.from, s.to, s.state, s.detail])])).toEqual([
      [
        'api',
        [
          ['dev', 'staging', 'differs', 'differs from dev (v1.4.0 vs sha-1111111; no version known for dev)'],
          ['staging', 'prod', 'behind', 'behind staging by 2 minor versions (1.2.3 → 1.4.0)']
        ]
      ],
      [
        'web',
        [
          ['dev', 'staging', 'differs', 'differs from dev (commit bbbbbbb vs aaaaaaa)'],
          ['staging', 'prod', 'in-sync', 'in sync with staging (version 2.0.0)']
        ]
      ],
      [
        'worker',
        [
          ['dev', 'staging', 'in-sync', 'in sync with dev (commit ccccccc)'],
          ['staging', 'prod', 'unknown', 'no overlay for prod (apps/worker/overlays/prod)']
        ]
      ]
    ])
    expect(lagging.apps[0]!.steps[1]!.images[0]!.distance).toEqual({ part: 'minor', count: 2 })
  })

  test('the rendered images agree with what the kustomizations say', () => {
    const api = lagging.apps[0]!.environments
    expect(api.map((e) => e.renderedImages)).toEqual([
      ['registry.example.com/org/api:sha-1111111'],
      ['registry.example.com/org/api:v1.4.0'],
      ['registry.example.com/org/api:v1.2.3']
    ])
    expect(lagging.apps.flatMap((a) => a.environments.flatMap((e) => e.problems))).toEqual([])
  })
})

describe('drift between rendered overlays', () => {
  test('staging → prod: the patch prod lacks, the differing env var, the object only prod has; nothing expected', () => {
    const drift = driftOf(lagging, 'api', 'staging', 'prod')
    expect(drift.objects).toEqual([
      {
        object: 'Deployment/api',
        kind: 'Deployment',
        name: 'api',
        presence: 'both',
        fields: [
          { path: 'spec.template.spec.containers[api].env[LOG_FORMAT].value', change: 'changed', from: 'json', to: 'text' },
          { path: 'spec.template.spec.containers[api].resources.limits.memory', change: 'changed', from: '512Mi', to: '256Mi' }
        ],
        patchesOnlyIn: [{ side: 'from', environment: 'staging', sources: ['resources-patch.yaml'] }]
      },
      { object: 'PodDisruptionBudget/api', kind: 'PodDisruptionBudget', name: 'api', presence: 'only-to', fields: [] }
    ])
    // replicas (2 → 3) and the generated ConfigMap's CACHE_TTL (5 → 60) are expected by default.
    expect(drift.expectedDifferences).toBe(2)
  })

  test('dev → staging: namespaced URLs and generated-name hashes are normalised away', () => {
    const drift = driftOf(lagging, 'api', 'dev', 'staging')
    expect(drift.objects.map((o) => [o.object, o.fields.map((f) => f.path), o.patchesOnlyIn])).toEqual([
      [
        'Deployment/api',
        ['spec.template.spec.containers[api].resources.limits.memory'],
        [{ side: 'to', environment: 'staging', sources: ['resources-patch.yaml'] }]
      ]
    ])
  })

  test('apps whose environments differ only as expected have no drift; a missing overlay has no drift entry', () => {
    expect(driftOf(lagging, 'web', 'dev', 'staging').objects).toEqual([])
    expect(driftOf(lagging, 'web', 'staging', 'prod')).toMatchObject({ objects: [], expectedDifferences: 2 })
    expect(lagging.drift!.filter((d) => d.app === 'worker').map((d) => `${d.from}→${d.to}`)).toEqual(['dev→staging'])
  })

  test('a container one side lacks is reported whole, at its own path', () => {
    expect(driftOf(sidecar, 'svc', 'dev', 'staging').objects).toEqual([
      {
        object: 'Deployment/svc',
        kind: 'Deployment',
        name: 'svc',
        presence: 'both',
        fields: [
          { path: 'spec.template.spec.containers[proxy]', change: 'only-to', to: '{"image":"envoyproxy/envoy:v1.31.0","name":"proxy"}' }
        ],
        patchesOnlyIn: [{ side: 'to', environment: 'staging', sources: ['sidecar-patch.yaml'] }]
      }
    ])
  })

  test('an overlay kustomize cannot build is a problem of its cell, not a failure of the view', () => {
    const broken = sidecar.apps.find((a) => a.app === 'broken')!
    const staging = broken.environments[1]!
    expect(staging.renderError).toMatch(
      /^kustomize could not build apps\/broken\/overlays\/staging: .*failed to get the patch file from path\(missing-patch\.yaml\)/
    )
    expect(staging.renderError).not.toMatch(/\n|tmp/)
    expect(staging.problems).toEqual([staging.renderError])
    expect(broken.environments[0]!.renderedImages).toEqual(['registry.example.com/org/broken:sha-7654321'])
    expect(sidecar.drift!.map((d) => d.app)).toEqual(['svc'])
    expect(renderStatusMarkdown(sidecar)).toContain(`- **broken** in staging: ${staging.renderError}`)
  })

  test('the example repo: only the HPA dev does not have, once gitops.yaml expects the ENVIRONMENT variable', () => {
    expect(example.drift!.map((d) => [d.from, d.to, d.objects.map((o) => `${o.object} ${o.presence}`)])).toEqual([
      ['dev', 'staging', ['HorizontalPodAutoscaler/myapp only-to']],
      ['staging', 'prod', []]
    ])
    expect(example.apps[0]!.environments.map((e) => e.renderedImages)).toEqual([
      ['ghcr.io/org/myapp:sha-abc123d'],
      ['ghcr.io/org/myapp:myapp-staging-abc123d'],
      ['ghcr.io/org/myapp:v1.2.3']
    ])
  })
})

describe('the Mermaid promotion diagram, read back by Mermaid’s own parser', () => {
  test('one app, the promoted step thick and both its environments marked', async () => {
    const text = renderPromotionDiagram(lagging, { apps: ['api'], highlight: { app: 'api', from: 'staging', to: 'prod' } })
    const chart = await parseFlowchart(text)
    expect(chart.diagramType).toBe('flowchart-v2')
    expect(chart.direction).toBe('LR')
    expect(chart.vertices.map((v) => [v.text, v.classes])).toEqual([
      ['<b>dev</b><br>sha-1111111', []],
      ['<b>staging</b><br>v1.4.0', ['promoting']],
      ['<b>prod</b><br>v1.2.3', ['promoting']]
    ])
    expect(chart.edges.map((e) => [e.stroke, e.text])).toEqual([
      ['normal', 'differs'],
      ['thick', 'promoting · behind']
    ])
    expect(chart.edges[1]!.style).toContain('stroke-width:4px')
    expect(chart.classDefs).toEqual(expect.arrayContaining(['promoting', 'lagging', 'missing']))
  })

  test('several apps: a subgraph each; a lagging environment and a missing overlay marked', async () => {
    const chart = await parseFlowchart(renderPromotionDiagram(lagging))
    expect(chart.subgraphs.map((s) => [s.title, s.nodes.length])).toEqual([
      ['api', 3],
      ['web', 3],
      ['worker', 3]
    ])
    const byText = (start: string) => chart.vertices.filter((v) => v.text.startsWith(start)).map((v) => [v.text, v.classes])
    expect(byText('<b>prod</b>')).toEqual([
      ['<b>prod</b><br>v1.2.3', ['lagging']],
      ['<b>prod</b><br>web-v2.0.0', []]
    ])
    expect(byText('prod<br>')).toEqual([['prod<br>no overlay', ['missing']]])
    expect(chart.edges).toHaveLength(6)
  })

  test('the parser is a real referee: broken text is refused', async () => {
    await expect(parseMermaid('flowchart LR\n  a["unclosed] --> b\n')).rejects.toThrow(/Parse error/)
    await expect(parseMermaid('flowchart LR\n  a --> b\n  linkStyle 3 stroke:#000\n')).rejects.toThrow()
  })

  test('labels with Mermaid syntax characters stay labels', async () => {
    const status: EnvironmentStatus = {
      ...example,
      apps: [{ ...example.apps[0]!, app: 'a"b#c' }]
    }
    const chart = await parseFlowchart(renderPromotionDiagram(status))
    expect(chart.vertices).toHaveLength(3)
  })
})

describe('markdown for job summaries and pull request bodies', () => {
  test('the promotion PR body: diagram, table, and the drift of the promoted step only', async () => {
    const markdown = renderStatusMarkdown(lagging, { highlight: { app: 'api', from: 'staging', to: 'prod' } })
    const blocks = mermaidBlocks(markdown)
    expect(blocks).toHaveLength(1)
    const chart = await parseFlowchart(blocks[0]!)
    expect(chart.vertices).toHaveLength(3)
    expect(markdown).toContain(
      '| **api** (promoting staging → prod) | `sha-1111111` (commit 1111111) | `v1.4.0` (version 1.4.0)<br>↔️ differs from dev'
    )
    expect(markdown).toContain('`v1.2.3` (version 1.2.3)<br>⏳ behind staging by 2 minor versions (1.2.3 → 1.4.0) |')
    expect(markdown).toContain('| **worker** |')
    expect(markdown).toContain('`web-staging-bbbbbbb` (version 2.0.0 (label), commit bbbbbbb)')
    const drift = markdown.slice(markdown.indexOf('#### Drift between environments'))
    expect(drift).toBe(
      [
        '#### Drift between environments',
        '',
        '**api: staging → prod** (2 expected differences left out)',
        '',
        '- `Deployment/api`',
        '  - staging patches it with `resources-patch.yaml`; prod has no such patch',
        '  - `spec.template.spec.containers[api].env[LOG_FORMAT].value`: staging `json`, prod `text`',
        '  - `spec.template.spec.containers[api].resources.limits.memory`: staging `512Mi`, prod `256Mi`',
        '- `PodDisruptionBudget/api` exists in prod only; staging has no such object',
        ''
      ].join('\n')
    )
  })

  test('the job summary on main: every app, every drifting pair, no highlight', async () => {
    const markdown = renderStatusMarkdown(lagging, { headingLevel: 2 })
    expect(markdown.startsWith('## Environments\n')).toBe(true)
    const chart = await parseFlowchart(mermaidBlocks(markdown)[0]!)
    expect(chart.edges.every((e) => e.stroke === 'normal')).toBe(true)
    expect(markdown.match(/^\*\*\w+: \w+ → \w+\*\*/gm)).toEqual(['**api: dev → staging**', '**api: staging → prod**'])
  })

  test('a long drift list is cut at a line, and says how much is left out', () => {
    const markdown = renderStatusMarkdown(lagging, { maxDriftLines: 3 })
    const drift = markdown.slice(markdown.indexOf('#### Drift between environments'))
    expect(drift.match(/^ *- /gm)).toHaveLength(3)
    expect(drift).toContain('_… 5 more drift lines not shown; `gitops-actions status --json` lists them all._')
  })

  test('a highlighted step without drift says so', () => {
    const markdown = renderStatusMarkdown(example, { highlight: { app: 'myapp', from: 'staging', to: 'prod' } })
    expect(markdown).toContain(
      'No drift between staging and prod besides image tags and the differences gitops.yaml expects (`drift.expected`).'
    )
  })

  test('problems with an overlay are listed', () => {
    const status = structuredClone(example)
    status.apps[0]!.environments[2]!.problems.push('apps/myapp/overlays/prod sets x, but kustomize renders y')
    expect(renderStatusMarkdown(status)).toContain(
      '#### Problems\n\n- **myapp** in prod: apps/myapp/overlays/prod sets x, but kustomize renders y'
    )
  })
})

describe('the terminal table', () => {
  test('plain text, aligned, with lag and drift lines', () => {
    const text = renderStatusTable(lagging, { color: false })
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/\u001b\[/)
    const lines = text.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      'APP     DEV          STAGING                 PROD',
      'api     sha-1111111  v1.4.0                  v1.2.3',
      '                     ~ differs               < behind 2 minor',
      'web     sha-aaaaaaa  web-staging-bbbbbbb     web-v2.0.0'
    ])
    expect(text).toContain('drift api staging → prod: Deployment/api patched with resources-patch.yaml in staging only')
    expect(text).toContain('drift api staging → prod: PodDisruptionBudget/api exists in prod only')
    expect(text).toContain('no drift web dev → staging')
  })

  test('colours on request, and the columns still line up', () => {
    const coloured = renderStatusTable(lagging, { color: true })
    expect(coloured).toContain('\u001b[33m< behind 2 minor\u001b[0m')
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderStatusTable(lagging, { color: false }))
  })
})
