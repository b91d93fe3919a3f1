import { beforeAll, describe, expect, test } from 'vitest'
import {
  checkQuotas,
  defaultGitopsConfig,
  formatQuantity,
  loadGitopsConfig,
  manifestsFromYaml,
  parseGitopsConfig,
  parseQuantity,
  podResources,
  quantityProblem,
  rolloutSurge,
  type Manifest
} from '../src/index.js'
import { expectConfigRefused } from './helpers/config-error.js'
import { exampleRepo, renderExampleRepo } from './helpers/example-repo.js'

const NANO = 10n ** 9n

describe('Kubernetes quantities, exactly', () => {
  test.each<[string | number, bigint]>([
    ['1', NANO],
    ['100m', NANO / 10n],
    ['0.1', NANO / 10n],
    ['.5', NANO / 2n],
    ['5.', 5n * NANO],
    ['1500m', (3n * NANO) / 2n],
    ['1.5', (3n * NANO) / 2n],
    ['250u', 250_000n],
    ['7n', 7n],
    ['1k', 1000n * NANO],
    ['1M', 1_000_000n * NANO],
    ['2G', 2_000_000_000n * NANO],
    ['1T', 10n ** 12n * NANO],
    ['1P', 10n ** 15n * NANO],
    ['1E', 10n ** 18n * NANO],
    ['1Ki', 1024n * NANO],
    ['128Mi', 128n * 2n ** 20n * NANO],
    ['1.5Gi', 3n * 2n ** 29n * NANO],
    ['0.1Mi', 104857600000000n],
    ['1Ti', 2n ** 40n * NANO],
    ['1Pi', 2n ** 50n * NANO],
    ['1Ei', 2n ** 60n * NANO],
    ['1e3', 1000n * NANO],
    ['1E3', 1000n * NANO],
    ['12e-3', (12n * NANO) / 1000n],
    ['1.5e+2', 150n * NANO],
    ['+2', 2n * NANO],
    ['-500m', -NANO / 2n],
    ['0.0000000001', 1n], // finer than a nano-unit rounds up, as Kubernetes does
    [2, 2n * NANO],
    [0.25, NANO / 4n],
    [1e21, 10n ** 21n * NANO]
  ])('%s', (text, nanos) => {
    expect(parseQuantity(text)).toBe(nanos)
  })

  test('sums are exact where floating point is not', () => {
    expect(parseQuantity('0.1') + parseQuantity('0.2')).toBe(parseQuantity('300m'))
    expect(parseQuantity('1.5Gi') + parseQuantity('512Mi')).toBe(parseQuantity('2Gi'))
  })

  test.each(['', 'm', '1.2.3', '1 Gi', '1gi', '1KB', '1mi', '0x10', 'Gi', '1e', '1e3.5', 'one', '1Gi ', '--1'])('%j is refused', (text) => {
    expect(quantityProblem(text)).toMatch(/is not a Kubernetes quantity/)
    expect(() => parseQuantity(text)).toThrow(RangeError)
  })

  test.each<[bigint, 'cpu' | 'memory', string]>([
    [parseQuantity('2'), 'cpu', '2'],
    [parseQuantity('1500m'), 'cpu', '1500m'],
    [parseQuantity('-250m'), 'cpu', '-250m'],
    [parseQuantity('3Gi'), 'memory', '3Gi'],
    [parseQuantity('1536Mi'), 'memory', '1536Mi'],
    [parseQuantity('1G'), 'memory', '1000000000'],
    [parseQuantity('0'), 'memory', '0'],
    [parseQuantity('-512Mi'), 'memory', '-512Mi']
  ])('%s nano-units of %s read %s', (nanos, resource, text) => {
    expect(formatQuantity(nanos, resource)).toBe(text)
  })
})

describe('pod resources by the Kubernetes rule', () => {
  const spec = (init: string, sidecar = '') => ({
    initContainers: [
      ...(sidecar ? [{ name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: sidecar } } }] : []),
      { name: 'migrate', resources: { requests: { cpu: init, memory: '1Gi' } } }
    ],
    containers: [
      { name: 'a', resources: { requests: { cpu: '200m', memory: '256Mi' } } },
      { name: 'b', resources: { requests: { cpu: '300m', memory: '256Mi' } } }
    ]
  })

  test.each([
    ['app containers outweigh a small init container', spec('100m'), '500m', '1Gi'],
    ['a big init container sets the pod request', spec('2'), '2', '1Gi'],
    ['sidecars run beside later init containers and the app', spec('100m', '250m'), '750m', '1Gi'],
    ['an init container after a sidecar adds to it', spec('2', '250m'), '2250m', '1Gi']
  ])('%s', (_name, podSpec, cpu, memory) => {
    const { requests } = podResources(podSpec)
    expect(formatQuantity(requests.cpu!, 'cpu')).toBe(cpu)
    expect(formatQuantity(requests.memory!, 'memory')).toBe(memory)
  })

  test('overhead is added', () => {
    const { requests } = podResources({ containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }], overhead: { cpu: '250m' } })
    expect(formatQuantity(requests.cpu!, 'cpu')).toBe('1250m')
  })
})

describe('rollout surge', () => {
  test.each<[unknown, number, 'Deployment' | 'DaemonSet', number]>([
    [undefined, 4, 'Deployment', 1], // 25% of 4
    [undefined, 3, 'Deployment', 1], // 25% of 3 = 0.75, rounded up
    [undefined, 10, 'Deployment', 3], // 2.5 rounded up
    [undefined, 0, 'Deployment', 0],
    [{ type: 'RollingUpdate', rollingUpdate: { maxSurge: 2 } }, 10, 'Deployment', 2],
    [{ type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%' } }, 5, 'Deployment', 3],
    [{ type: 'RollingUpdate', rollingUpdate: { maxSurge: '0%', maxUnavailable: 1 } }, 5, 'Deployment', 0],
    [{ type: 'Recreate' }, 10, 'Deployment', 0],
    [undefined, 5, 'DaemonSet', 0],
    [{ type: 'RollingUpdate', rollingUpdate: { maxSurge: '20%' } }, 6, 'DaemonSet', 2]
  ])('%j with %i replicas (%s): %i extra pods', (strategy, replicas, kind, expected) => {
    expect(rolloutSurge(strategy, replicas, kind)).toBe(expected)
  })
})

const QUOTA = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: app-prod
spec:
  hard:
    requests.cpu: "2"
    requests.memory: 4Gi
    limits.cpu: "8"
    limits.memory: 8Gi
    pods: "20"
`
const LIMIT_RANGE = `apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: app-prod
spec:
  limits:
  - type: Container
    default: { cpu: 500m, memory: 256Mi }
    defaultRequest: { cpu: 100m, memory: 128Mi }
`

function workload(options: { kind?: string; replicas?: number; resources?: string; strategy?: string; name?: string } = {}): string {
  const { kind = 'Deployment', replicas = 2, name = 'web' } = options
  const resources = options.resources ?? 'resources: { requests: { cpu: 200m, memory: 256Mi }, limits: { cpu: 400m, memory: 512Mi } }'
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: app-prod
spec:
  replicas: ${replicas}${options.strategy ? `\n  strategy: ${options.strategy}` : ''}
  template:
    spec:
      containers:
      - name: web
        image: ghcr.io/org/web:v1
        ${resources}
`
}

function hpa(max: number, target = 'web'): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${target}
  namespace: app-prod
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }
  minReplicas: 2
  maxReplicas: ${max}
`
}

/** Infrastructure and app objects from different build roots, as the action passes them. */
function manifests(infrastructure: string[], apps: string[]): Manifest[] {
  return [
    ...manifestsFromYaml(infrastructure.join('---\n'), 'infrastructure/namespaces/app-prod.yaml', 'infrastructure'),
    ...manifestsFromYaml(apps.join('---\n'), 'apps/web/overlays/prod/deployment.yaml', 'apps/web/overlays/prod', 'prod')
  ]
}

describe('checkQuotas', () => {
  test('replicas × per-pod requests and limits plus the default 25% surge, against the ResourceQuota', () => {
    const { findings, namespaces } = checkQuotas(manifests([QUOTA], [workload({ replicas: 4 })]), defaultGitopsConfig())
    expect(findings).toEqual([])
    expect(namespaces).toEqual([
      {
        namespace: 'app-prod',
        environment: 'prod',
        pods: 5,
        requests: { cpu: '1', memory: '1280Mi', 'ephemeral-storage': '0' },
        limits: { cpu: '2', memory: '2560Mi', 'ephemeral-storage': '0' },
        quota: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '8', memory: '8Gi' }, pods: 20 },
        headroom: { requests: { cpu: '1', memory: '2816Mi' }, limits: { cpu: '6', memory: '5632Mi' }, pods: 15 }
      }
    ])
  })

  test.each([
    ['an HPA scales to its maxReplicas', [workload({ replicas: 2 }), hpa(9)], '2400m', 'requests.cpu', /2400m.*over 2 allowed/],
    ['Recreate has no surge', [workload({ replicas: 10, strategy: '{ type: Recreate }' })], '2', undefined, undefined],
    ['the surge alone can break the quota', [workload({ replicas: 10 })], '2600m', 'requests.cpu', /2600m/],
    [
      'an absolute maxSurge',
      [workload({ replicas: 8, strategy: '{ type: RollingUpdate, rollingUpdate: { maxSurge: 2 } }' })],
      '2',
      undefined,
      undefined
    ],
    ['LimitRange defaults fill unset containers', [workload({ replicas: 4, resources: '' })], '500m', undefined, undefined]
  ])('%s', (_name, apps, cpu, overKey, message) => {
    const { findings, namespaces } = checkQuotas(manifests([QUOTA, LIMIT_RANGE], apps), defaultGitopsConfig())
    expect(namespaces[0]!.requests.cpu).toBe(cpu)
    if (overKey === undefined) {
      expect(findings).toEqual([])
    } else {
      expect(findings).toHaveLength(1)
      expect(findings[0]).toMatchObject({
        ruleId: 'quota/over-quota',
        severity: 'error',
        location: { file: 'apps/web/overlays/prod/deployment.yaml', line: 1 }
      })
      expect(findings[0]!.message).toContain(overKey)
      expect(findings[0]!.message).toMatch(message!)
      expect(findings[0]!.message).toContain('ResourceQuota compute (infrastructure/namespaces/app-prod.yaml:1)')
    }
  })

  test('the finding points at the workload holding the most; pods are counted against `pods`', () => {
    const apps = [workload({ name: 'small', replicas: 1 }), workload({ name: 'big', replicas: 8 }), workload({ name: 'tiny', replicas: 1 })]
    const { findings } = checkQuotas(manifests([QUOTA.replace('pods: "20"', 'pods: "10"')], apps), defaultGitopsConfig())
    expect(findings.map((f) => [f.ruleId, f.title])).toEqual([
      ['quota/over-quota', 'app-prod: pods over quota'],
      ['quota/over-quota', 'app-prod: requests.cpu over quota']
    ])
    const bigLine = apps.slice(0, 1).join('---\n').split('\n').length + 1
    for (const finding of findings) expect(finding.location?.line).toBe(bigLine)
    expect(findings[1]!.message).toMatch(/Largest: Deployment\/app-prod\/big \(10 pods\)/)
  })

  test('containers without a value a ResourceQuota counts, and no LimitRange default, are refused by the API server', () => {
    const { findings } = checkQuotas(
      manifests([QUOTA], [workload({ resources: 'resources: { requests: { cpu: 100m } }' })]),
      defaultGitopsConfig()
    )
    expect(findings.map((f) => f.ruleId)).toEqual(['quota/unset-under-quota'])
    expect(findings[0]!.message).toMatch(/sets no requests.memory, limits.cpu, limits.memory, which ResourceQuota compute/)
    expect(findings[0]!.location).toMatchObject({ file: 'apps/web/overlays/prod/deployment.yaml', line: 13 })
  })

  test('several ResourceQuotas: the tightest value of each key applies; scoped quotas are noted, not compared', () => {
    const second = QUOTA.replace('name: compute', 'name: tight').replace('requests.cpu: "2"', 'requests.cpu: "1"')
    const scoped = QUOTA.replace('name: compute', 'name: best-effort').replace('spec:\n', 'spec:\n  scopes: [BestEffort]\n')
    const { findings, namespaces } = checkQuotas(manifests([QUOTA, second, scoped], [workload({ replicas: 5 })]), defaultGitopsConfig())
    expect(namespaces[0]!.quota?.requests.cpu).toBe('1')
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['quota/not-counted', 'notice'],
      ['quota/over-quota', 'error']
    ])
    expect(findings[1]!.message).toMatch(/requests.cpu reaches 1400m .* over 1 allowed by ResourceQuota tight/)
  })

  test('gitops.yaml budgets per namespace and per environment', () => {
    const config = parseGitopsConfig(`
quota:
  namespaces:
    app-prod:
      requests: { cpu: 900m }
  environments:
    prod:
      limits: { memory: 1Gi }
      pods: 4
`)
    const { findings, namespaces } = checkQuotas(manifests([], [workload({ replicas: 4 })]), config)
    expect(namespaces[0]).toMatchObject({ budget: { requests: { cpu: '900m' }, limits: {} }, headroom: { requests: { cpu: '-100m' } } })
    expect(findings.map((f) => [f.ruleId, f.title])).toEqual([
      ['quota/over-budget', 'app-prod: requests.cpu over budget'],
      ['quota/over-budget', 'environment prod: pods over budget'],
      ['quota/over-budget', 'environment prod: limits.memory over budget']
    ])
    expect(findings[0]!.message).toContain('quota.namespaces.app-prod in gitops.yaml')
  })

  test('Jobs count parallelism, DaemonSets need quota.nodes, an object rendered by two roots counts once', () => {
    const job = workload({ kind: 'Job', name: 'batch' }).replace('replicas: 2', 'parallelism: 3')
    const daemon = workload({ kind: 'DaemonSet', name: 'agent' })
    const apps = [workload({ replicas: 1, strategy: '{ type: Recreate }' }), job, daemon]
    const twice = [...manifests([], apps), ...manifestsFromYaml(apps[0]!, 'cluster-configs/apps/web.yaml', 'cluster-configs', 'prod')]
    const { findings, namespaces } = checkQuotas(twice, defaultGitopsConfig())
    expect(namespaces[0]!.pods).toBe(4)
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['quota/not-counted', 'notice']])
    const withNodes = checkQuotas(twice, parseGitopsConfig('quota:\n  nodes: 3\n'))
    expect(withNodes.namespaces[0]!.pods).toBe(7)
  })

  test.each([
    [
      'quota:\n  namespaces:\n    app-prod:\n      requests: { cpu: 2 cores }\n',
      4,
      /quota.namespaces.app-prod.requests.cpu: '2 cores' is not a Kubernetes quantity/
    ],
    ['quota:\n  environments:\n    prod:\n      limits: { gpu: 1 }\n', 4, /unknown key 'gpu'/],
    ['quota:\n  nodes: 0\n', 2, /^quota\.nodes: 0 is below the minimum 1$/]
  ])('gitops.yaml %j is refused at line %i', (text, line, message) => {
    expectConfigRefused(text, line, message)
  })
})

describe('the example config repo, rendered by real kustomize', () => {
  let rendered: Manifest[]
  beforeAll(async () => {
    rendered = await renderExampleRepo()
  })

  test('every environment fits its ResourceQuota, with the headroom the summary shows', () => {
    const { findings, namespaces } = checkQuotas(rendered, loadGitopsConfig(exampleRepo))
    expect(findings).toEqual([])
    // dev: 1 replica + 1 surge; staging: HPA max 5 + 2 surge; prod: HPA max 10 + 3 surge. Each pod 100m/128Mi, limits 500m/256Mi.
    expect(
      namespaces.map((n) => [n.namespace, n.environment, n.pods, n.requests.cpu, n.requests.memory, n.limits.cpu, n.headroom.requests.cpu])
    ).toEqual([
      ['app-dev', 'dev', 2, '200m', '256Mi', '1', '3800m'],
      ['app-prod', 'prod', 13, '1300m', '1664Mi', '6500m', '14700m'],
      ['app-staging', 'staging', 7, '700m', '896Mi', '3500m', '7300m']
    ])
  })
})
