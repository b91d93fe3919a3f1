import { beforeAll, describe, expect, test } from 'vitest'
import {
  BUILTIN_POLICY_RULES,
  checkPolicies,
  checkPolicyExpressions,
  defaultGitopsConfig,
  loadCel,
  loadGitopsConfig,
  manifestsFromYaml,
  parseGitopsConfig,
  POD_BEARING_KINDS,
  resourceOf,
  severityOf,
  UserError,
  type Finding,
  type Manifest
} from '../src/index.js'
import { expectConfigRefused } from './helpers/config-error.js'
import { exampleRepo, renderExampleRepo } from './helpers/example-repo.js'

const now = new Date('2026-06-15T12:00:00Z')

// Custom rules and ValidatingAdmissionPolicy objects are CEL, loaded on demand (cel-loading.test.ts covers the order).
beforeAll(() => loadCel())

/** A container that passes every built-in rule; tests break one thing at a time. */
const GOOD_CONTAINER = `
        image: ghcr.io/org/app:v1.0.0
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          seccompProfile:
            type: RuntimeDefault
        resources:
          requests: { cpu: 100m, memory: 128Mi }
          limits: { cpu: 500m, memory: 256Mi }
        readinessProbe: { httpGet: { path: /ready, port: 8080 } }
        livenessProbe: { httpGet: { path: /live, port: 8080 } }`

function deployment(podSpecExtra = '', containerExtra = '', annotations = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: app-prod${annotations ? `\n  annotations:\n${annotations}` : ''}
spec:
  template:
    spec:${podSpecExtra}
      containers:
      - name: web${GOOD_CONTAINER}${containerExtra}
`
}

function check(yaml: string, environment: string | null = 'prod', config = defaultGitopsConfig()): Finding[] {
  return checkPolicies(
    manifestsFromYaml(yaml, 'apps/web/overlays/prod/deployment.yaml', 'apps/web/overlays/prod', environment ?? undefined),
    config,
    { now }
  )
}

const summary = (findings: readonly Finding[]) => findings.map((f) => [f.ruleId, f.severity, f.location?.line])

describe('built-in rules', () => {
  test('a hardened Deployment passes', () => {
    expect(check(deployment())).toEqual([])
  })

  const lineOf = (yaml: string, pattern: RegExp): number => yaml.split('\n').findIndex((l) => pattern.test(l)) + 1
  const replace =
    (from: string | RegExp, to: string) =>
    (yaml: string): string =>
      yaml.replace(from, to)
  const podField = (text: string) => (yaml: string) =>
    yaml.replace('    spec:\n      containers:', `    spec:\n      ${text}\n      containers:`)

  // [rule, how to break the hardened Deployment, the line the finding must point at (its first match)]
  test.each<[string, (yaml: string) => string, RegExp]>([
    [
      'privileged-container',
      replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n          privileged: true'),
      /privileged: true/
    ],
    ['host-namespace', podField('hostNetwork: true'), /hostNetwork/],
    ['host-namespace', podField('hostPID: true'), /hostPID/],
    ['host-namespace', podField('hostIPC: true'), /hostIPC/],
    ['host-path-volume', podField('volumes:\n      - name: root\n        hostPath: { path: / }'), /hostPath:/],
    [
      'host-port',
      replace('        resources:', '        ports:\n        - containerPort: 80\n          hostPort: 80\n        resources:'),
      /hostPort: 80/
    ],
    [
      'added-capabilities',
      replace('runAsNonRoot: true', 'runAsNonRoot: true\n          capabilities: { add: [NET_ADMIN, NET_BIND_SERVICE] }'),
      /capabilities:/
    ],
    [
      'privilege-escalation',
      replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'),
      /allowPrivilegeEscalation: true/
    ],
    ['privilege-escalation', replace('          allowPrivilegeEscalation: false\n', ''), /runAsNonRoot/],
    ['run-as-root', podField('securityContext: { runAsUser: 0 }'), /runAsUser: 0/],
    ['run-as-root', replace('runAsNonRoot: true', 'runAsNonRoot: false'), /runAsNonRoot: false/],
    ['missing-seccomp-profile', replace('type: RuntimeDefault', 'type: Unconfined'), /type: Unconfined/],
    ['missing-seccomp-profile', replace('          seccompProfile:\n            type: RuntimeDefault\n', ''), /allowPrivilegeEscalation/],
    ['mutable-image-tag', replace('app:v1.0.0', 'app:latest'), /image:/],
    ['mutable-image-tag', replace('app:v1.0.0', 'app'), /image:/],
    ['missing-limits', replace('limits: { cpu: 500m, memory: 256Mi }', 'limits: { memory: 256Mi }'), /requests:/],
    ['missing-readiness-probe', replace(/\n {8}readinessProbe:.*/, ''), /- name: web/],
    ['missing-liveness-probe', replace(/\n {8}livenessProbe:.*/, ''), /- name: web/]
  ])('%s fires at the offending field', (rule, breakIt, line) => {
    const yaml = breakIt(deployment())
    const findings = check(yaml)
    expect(findings.map((f) => f.ruleId)).toEqual([`policy/${rule}`])
    expect(findings[0]!.location).toMatchObject({ file: 'apps/web/overlays/prod/deployment.yaml', line: lineOf(yaml, line) })
    expect(findings[0]!.message).toMatch(/^Deployment\/app-prod\/web \(from apps\/web\/overlays\/prod\): /)
  })

  test('missing requests: a request is missing only when the limit is too (Kubernetes copies limits into requests)', () => {
    const yaml = deployment()
      .replace('requests: { cpu: 100m, memory: 128Mi }', 'requests: { cpu: 100m }')
      .replace('limits: { cpu: 500m, memory: 256Mi }', 'limits: { cpu: 500m }')
    expect(check(yaml).map((f) => [f.ruleId, f.message.replace(/^[^:]+: /, '')])).toEqual([
      ['policy/missing-requests', "container 'web' sets no memory request and no LimitRange in its namespace gives a default"],
      ['policy/missing-limits', "container 'web' sets no memory limit and no LimitRange in its namespace gives a default"]
    ])
  })

  test.each(POD_BEARING_KINDS)('%s: its pod spec is found and checked', (kind) => {
    const spec = `containers:\n- name: c\n  image: nginx\n  securityContext: { privileged: true }`
    const paths: Record<string, string> = {
      Pod: 'spec',
      CronJob: 'spec:\n  jobTemplate:\n    spec:\n      template:\n        spec',
      default: 'spec:\n  template:\n    spec'
    }
    const path = paths[kind] ?? paths.default!
    const depth = path.split('\n').length
    const yaml = `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\n${path}:\n${spec
      .split('\n')
      .map((l) => '  '.repeat(depth) + l)
      .join('\n')}\n`
    const findings = check(yaml)
    const privileged = findings.find((f) => f.ruleId === 'policy/privileged-container')
    expect(privileged?.location?.line).toBe(yaml.split('\n').findIndex((l) => l.includes('privileged: true')) + 1)
    expect(findings.some((f) => f.ruleId === 'policy/mutable-image-tag')).toBe(true)
    // Probes only make sense for long-running pods.
    expect(findings.some((f) => f.ruleId === 'policy/missing-readiness-probe')).toBe(kind !== 'Job' && kind !== 'CronJob')
  })

  test('init and ephemeral containers are checked; probes and resources only where Kubernetes allows them', () => {
    const yaml = deployment(
      `
      initContainers:
      - name: migrate
        image: ghcr.io/org/migrate
        securityContext: { privileged: true, allowPrivilegeEscalation: false }
      ephemeralContainers:
      - name: debug
        image: busybox:latest`
    )
    const findings = check(yaml).map(
      (f) => `${f.ruleId} ${f.message.replace(/^Deployment\/app-prod\/web \(from apps\/web\/overlays\/prod\): /, '')}`
    )
    expect(findings).toEqual(
      expect.arrayContaining([
        "policy/privileged-container init container 'migrate' runs privileged: it has every capability and the host's devices",
        "policy/mutable-image-tag init container 'migrate' image ghcr.io/org/migrate has no tag, which means latest",
        expect.stringMatching(/^policy\/missing-requests init container 'migrate' sets no cpu request or memory request/),
        "policy/mutable-image-tag ephemeral container 'debug' image busybox:latest uses the mutable tag latest",
        "policy/privilege-escalation ephemeral container 'debug' does not set allowPrivilegeEscalation: false (Kubernetes allows escalation by default)"
      ])
    )
    expect(
      findings.filter((f) => f.includes("ephemeral container 'debug'") && /missing-(requests|limits|readiness|liveness)/.test(f))
    ).toEqual([])
    expect(findings.filter((f) => f.includes("init container 'migrate'") && /probe/.test(f))).toEqual([])
  })

  test.each([
    [
      'pod-level runAsNonRoot and seccomp cover the containers',
      '\n      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }',
      [],
      []
    ],
    ['a non-zero runAsUser is not root', '\n      securityContext: { runAsUser: 10001 }', [['runAsNonRoot: true', 'runAsUser: 1000']], []],
    [
      'the container overrides the pod',
      '\n      securityContext: { runAsNonRoot: true }',
      [['          runAsNonRoot: true', '          runAsNonRoot: false']],
      ['policy/run-as-root']
    ],
    ['digests are immutable', '', [['app:v1.0.0', 'app@sha256:' + 'a'.repeat(64)]], []],
    ['a digest after latest is still pinned', '', [['app:v1.0.0', 'app:latest@sha256:' + 'b'.repeat(64)]], []],
    ['limits alone give requests (API defaulting)', '', [['requests: { cpu: 100m, memory: 128Mi }', 'requests: {}']], []]
  ])('%s', (_name, podExtra, replacements, expected) => {
    let yaml = deployment(podExtra)
    for (const [from, to] of replacements as string[][]) yaml = yaml.replace(from!, to!)
    expect(check(yaml).map((f) => f.ruleId)).toEqual(expected)
  })

  test("LimitRange defaults in the object's namespace satisfy missing requests and limits", () => {
    const bare = deployment().replace(/\n {8}resources:\n.*\n.*/, '')
    expect(check(bare).map((f) => f.ruleId)).toEqual(['policy/missing-requests', 'policy/missing-limits'])
    const limitRange = `---
apiVersion: v1
kind: LimitRange
metadata: { name: defaults, namespace: app-prod }
spec:
  limits:
  - type: Container
    default: { cpu: 500m, memory: 256Mi }
`
    expect(check(bare + limitRange)).toEqual([])
    expect(check(bare + limitRange.replace('app-prod', 'app-dev')).map((f) => f.ruleId)).toEqual([
      'policy/missing-requests',
      'policy/missing-limits'
    ])
  })
})

describe('severity per environment', () => {
  const privileged = deployment().replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n          privileged: true')
  const custom = parseGitopsConfig(`
policy:
  environments:
    staging: warning
  rules:
    privileged-container:
      environments:
        dev: error
    missing-liveness-probe:
      severity: notice
      environments:
        prod: off
    host-port:
      enabled: false
`)

  test.each([
    [
      'defaults',
      defaultGitopsConfig(),
      'privileged-container',
      [
        ['dev', 'warning'],
        ['staging', 'error'],
        ['prod', 'error'],
        [undefined, 'error']
      ]
    ],
    [
      'environment default',
      custom,
      'mutable-image-tag',
      [
        ['dev', 'warning'],
        ['staging', 'warning'],
        ['prod', 'error'],
        ['qa', 'error']
      ]
    ],
    [
      'rule per environment',
      custom,
      'privileged-container',
      [
        ['dev', 'error'],
        ['staging', 'warning'],
        ['prod', 'error']
      ]
    ],
    [
      'rule everywhere, off in one',
      custom,
      'missing-liveness-probe',
      [
        ['dev', 'notice'],
        ['staging', 'notice'],
        ['prod', 'off']
      ]
    ],
    [
      'disabled',
      custom,
      'host-port',
      [
        ['dev', 'off'],
        ['prod', 'off']
      ]
    ]
  ])('%s', (_name, config, rule, expected) => {
    for (const [environment, severity] of expected as Array<[string | undefined, string]>) {
      expect(severityOf(config, rule, environment)).toBe(severity)
    }
  })

  test('findings carry the severity of their environment; the namespace tells it when the root does not', () => {
    expect(summary(check(privileged, 'dev'))).toEqual([['policy/privileged-container', 'warning', 14]])
    expect(summary(check(privileged, 'staging'))).toEqual([['policy/privileged-container', 'error', 14]])
    expect(summary(check(privileged.replace('app-prod', 'app-dev'), null))).toEqual([['policy/privileged-container', 'warning', 14]])
    expect(check(privileged.replace(/\n {8}livenessProbe:.*/, ''), 'prod', custom).map((f) => f.ruleId)).toEqual([
      'policy/privileged-container'
    ])
  })

  test.each([
    ['policy:\n  severity: fatal\n', 2, /^policy\.severity: 'fatal' is not one of error, warning, notice, off$/],
    [
      'policy:\n  rules:\n    Privileged: { enabled: false }\n',
      3,
      /^policy\.rules: the key 'Privileged' is not a rule id of lowercase letters, digits and hyphens/
    ],
    ['policy:\n  rules:\n    host-port: { enable: false }\n', 3, /unknown key 'enable'/],
    ['policy:\n  custom:\n    - id: x\n      validations: []\n', 4, /^policy\.custom\[0\]\.validations: needs at least 1 entry$/]
  ])('gitops.yaml %j is refused at line %i', (text, line, message) => {
    expectConfigRefused(text, line, message)
  })

  test.each([
    [
      'policy:\n  custom:\n    - id: x\n      validations:\n        - expression: "object.spec.replicas <"\n',
      5,
      /^policy\.custom\[0\]\.validations\[0\]\.expression: invalid CEL expression/
    ],
    [
      'policy:\n  custom:\n    - id: x\n      validations:\n        - expression: "true"\n          messageExpression: "\'a\' +"\n',
      6,
      /^policy\.custom\[0\]\.validations\[0\]\.messageExpression: invalid CEL/
    ],
    [
      'policy:\n  custom:\n    - id: x\n      matchConditions:\n        - { name: m, expression: "has(" }\n      validations: [{ expression: "true" }]\n',
      5,
      /^policy\.custom\[0\]\.matchConditions\[0\]\.expression: invalid CEL/
    ]
  ])('a custom rule whose CEL does not parse (%j) is refused at line %i by the policy check', async (text, line, message) => {
    const config = parseGitopsConfig(text)
    const error = await checkPolicyExpressions(config).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toMatch(message)
    // The location names the file; the message does not say it again.
    expect((error as UserError).message).not.toContain('gitops.yaml')
    expect((error as UserError).location).toMatchObject({ file: 'gitops.yaml', line })
  })
})

describe('suppression annotations', () => {
  const hostPath = (annotations: string) =>
    deployment('\n      volumes:\n      - name: proc\n        hostPath: { path: /proc }', '', annotations)

  test.each([
    ['a reason suppresses', '    ignore-check.gitops-actions.io/host-path-volume: "node-exporter reads /proc"', []],
    [
      'a reason and a future expiry suppress',
      '    ignore-check.gitops-actions.io/host-path-volume: "reads /proc"\n    ignore-check.gitops-actions.io/host-path-volume.expires: "2026-06-15"',
      []
    ],
    [
      'an expired suppression is an error and the rule applies again',
      '    ignore-check.gitops-actions.io/host-path-volume: "reads /proc"\n    ignore-check.gitops-actions.io/host-path-volume.expires: "2026-06-14"',
      [
        ['policy/suppression-expired', 'error', /expires:/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ],
    [
      'no reason is an error and suppresses nothing',
      '    ignore-check.gitops-actions.io/host-path-volume: ""',
      [
        ['policy/invalid-suppression', 'error', /ignore-check/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ],
    [
      '"true" is not a reason',
      '    ignore-check.gitops-actions.io/host-path-volume: "true"',
      [
        ['policy/invalid-suppression', 'error', /ignore-check/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ],
    [
      'an expiry that is not a date',
      '    ignore-check.gitops-actions.io/host-path-volume: "reads /proc"\n    ignore-check.gitops-actions.io/host-path-volume.expires: "2026-02-30"',
      [
        ['policy/invalid-suppression', 'error', /expires:/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ],
    [
      'an expiry without a reason',
      '    ignore-check.gitops-actions.io/host-path-volume.expires: "2027-01-01"',
      [
        ['policy/invalid-suppression', 'error', /ignore-check/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ],
    [
      'an unknown rule is a warning',
      '    ignore-check.gitops-actions.io/host-paths: "typo"',
      [
        ['policy/invalid-suppression', 'warning', /ignore-check/],
        ['policy/host-path-volume', 'error', /hostPath:/]
      ]
    ]
  ])('%s', (_name, annotations, expected) => {
    const yaml = hostPath(annotations)
    const lineOf = (pattern: RegExp) => yaml.split('\n').findIndex((l) => pattern.test(l)) + 1
    expect(summary(check(yaml))).toEqual(
      (expected as Array<[string, string, RegExp]>).map(([id, severity, line]) => [id, severity, lineOf(line)])
    )
  })
})

describe('custom CEL rules', () => {
  const config = parseGitopsConfig(`
policy:
  rules:
    replicas-cap:
      environments: { dev: warning }
  custom:
    - id: team-label
      kinds: [Deployment]
      validations:
        - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
          message: every Deployment needs a team label
    - id: replicas-cap
      matchConditions:
        - name: has-replicas
          expression: "has(object.spec.replicas)"
      validations:
        - expression: "object.spec.replicas <= 5"
          messageExpression: "'replicas ' + string(object.spec.replicas) + ' exceed 5'"
        - expression: "object.metadata.name.startsWith('web')"
    - id: broken
      kinds: [ConfigMap]
      validations:
        - expression: "object.data.missing == 'x'"
`)

  test.each([
    ['a Deployment with a team label and few replicas passes', 'Deployment', 'labels: { team: a }', 'replicas: 3', 'web', []],
    [
      'no team label',
      'Deployment',
      'labels: { app: a }',
      'replicas: 3',
      'web',
      [['policy/team-label', 'every Deployment needs a team label']]
    ],
    ['kinds limit where a rule applies', 'StatefulSet', 'labels: {}', 'replicas: 3', 'web', []],
    ['messageExpression', 'StatefulSet', 'labels: {}', 'replicas: 7', 'web', [['policy/replicas-cap', 'replicas 7 exceed 5']]],
    [
      'the default message names the expression',
      'StatefulSet',
      'labels: {}',
      'replicas: 1',
      'db',
      [['policy/replicas-cap', "failed expression: object.metadata.name.startsWith('web')"]]
    ],
    ['matchConditions skip objects', 'StatefulSet', 'labels: {}', 'paused: true', 'db', []],
    ['an evaluation error is reported', 'ConfigMap', 'labels: {}', 'x: 1', 'cm', [['policy/broken', /could not be evaluated: .*missing/]]]
  ])('%s', (_name, kind, labels, spec, name, expected) => {
    const yaml = `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  ${labels}\nspec:\n  ${spec}\ndata: {}\n`
    const findings = checkPolicies(manifestsFromYaml(yaml, 'x.yaml', 'x.yaml', 'prod'), config, { now }).filter(
      (f) => !f.ruleId.startsWith('policy/missing') && f.ruleId !== 'policy/invalid-config'
    )
    expect(findings.map((f) => [f.ruleId, f.message.replace(/^[^:]+: /, '')])).toEqual(
      (expected as Array<[string, string | RegExp]>).map(([id, message]) => [
        id,
        typeof message === 'string' ? message : expect.stringMatching(message)
      ])
    )
    for (const finding of findings) expect(finding.location).toMatchObject({ file: 'x.yaml', line: 1 })
  })

  test('custom rules take severities and suppressions like built-in ones', () => {
    const yaml = `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: 9\n`
    const inDev = checkPolicies(manifestsFromYaml(yaml, 'x.yaml', 'x.yaml', 'dev'), config, { now })
    expect(inDev.filter((f) => f.ruleId === 'policy/replicas-cap').map((f) => f.severity)).toEqual(['warning'])
    const suppressed = yaml.replace(
      '  name: web\n',
      '  name: web\n  annotations:\n    ignore-check.gitops-actions.io/replicas-cap: "load test"\n'
    )
    expect(
      checkPolicies(manifestsFromYaml(suppressed, 'x.yaml', 'x.yaml', 'dev'), config, { now }).filter(
        (f) => f.ruleId === 'policy/replicas-cap'
      )
    ).toEqual([])
  })

  test('a custom id that clashes with a built-in rule is reported', () => {
    const clash = parseGitopsConfig('policy:\n  custom:\n    - id: host-port\n      validations: [{ expression: "true" }]\n')
    expect(checkPolicies([], clash, { now }).map((f) => [f.ruleId, f.severity])).toEqual([['policy/invalid-config', 'error']])
  })
})

describe('ValidatingAdmissionPolicy objects among the manifests', () => {
  const policy = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-replicas
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  variables:
  - name: replicas
    expression: "has(object.spec.replicas) ? object.spec.replicas : 1"
  validations:
  - expression: "variables.replicas <= 5"
    messageExpression: "'at most 5 replicas, found ' + string(variables.replicas)"
  - expression: "object.metadata.namespace != 'default'"
    message: not in default
---
`
  const workload = (kind: string, replicas: number, namespace = 'app-prod') =>
    `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: w\n  namespace: ${namespace}\nspec:\n  replicas: ${replicas}\n`

  function run(yaml: string): Array<[string, string]> {
    return checkPolicies(manifestsFromYaml(yaml, 'infra/policy.yaml', 'infra/policy.yaml', undefined), defaultGitopsConfig(), { now })
      .filter((f) => !f.ruleId.startsWith('policy/missing') && !f.ruleId.endsWith('probe'))
      .map((f) => [f.ruleId, f.message])
  }

  test.each([
    ['within limits', workload('Deployment', 3), []],
    ['too many replicas', workload('Deployment', 8), [['policy/max-replicas', 'Deployment/app-prod/w: at most 5 replicas, found 8']]],
    [
      'two validations fail',
      workload('Deployment', 6, 'default'),
      [
        ['policy/max-replicas', 'Deployment/default/w: at most 5 replicas, found 6'],
        ['policy/max-replicas', 'Deployment/default/w: not in default']
      ]
    ],
    ['resourceRules select the kinds', workload('StatefulSet', 8), []]
  ])('%s', (_name, yaml, expected) => {
    expect(run(policy + yaml)).toEqual(expected)
  })

  test('failurePolicy Ignore skips objects the expression cannot evaluate; Fail reports them', () => {
    const strict = policy.replace('variables.replicas <= 5', "object.spec.template.spec.nodeName == 'x'")
    expect(run(strict + workload('Deployment', 1)).map(([id, m]) => [id, m.replace(/:.*/, '')])).toEqual([
      ['policy/max-replicas', 'Deployment/app-prod/w']
    ])
    expect(run(strict.replace('failurePolicy: Fail', 'failurePolicy: Ignore') + workload('Deployment', 1))).toEqual([])
  })

  test('a policy with paramKind is noted, not evaluated', () => {
    const withParams = policy.replace(
      '  failurePolicy: Fail\n',
      '  failurePolicy: Fail\n  paramKind: { apiVersion: v1, kind: ConfigMap }\n'
    )
    expect(run(withParams + workload('Deployment', 9))).toEqual([['policy/max-replicas', expect.stringMatching(/takes parameters/)]])
  })

  test.each([
    ['Deployment', 'deployments'],
    ['Ingress', 'ingresses'],
    ['NetworkPolicy', 'networkpolicies'],
    ['Endpoints', 'endpoints'],
    ['Gateway', 'gateways']
  ])('%s is the resource %s', (kind, resource) => {
    expect(resourceOf(kind)).toBe(resource)
  })
})

describe('the example config repo, rendered by real kustomize', () => {
  let manifests: Manifest[]
  beforeAll(async () => {
    manifests = await renderExampleRepo()
  })

  test('has no policy findings in any environment', () => {
    expect(checkPolicies(manifests, loadGitopsConfig(exampleRepo), { now })).toEqual([])
  })

  test('rendered Deployments are pod-bearing and every built-in rule sees their containers', () => {
    const deployments = manifests.filter((m) => m.object.kind === 'Deployment')
    expect(deployments.map((m) => m.environment)).toEqual(['dev', 'staging', 'prod'])
    const broken = deployments.map((m) => {
      const copy = structuredClone(m.object) as any
      delete copy.spec.template.spec.securityContext
      copy.spec.template.spec.containers[0].image = 'ghcr.io/org/myapp:latest'
      return { ...m, object: copy }
    })
    const ids = new Set(checkPolicies(broken, loadGitopsConfig(exampleRepo), { now }).map((f) => `${f.ruleId} ${f.severity}`))
    expect([...ids].sort()).toEqual([
      'policy/missing-seccomp-profile error',
      'policy/missing-seccomp-profile warning',
      'policy/mutable-image-tag error',
      'policy/mutable-image-tag warning',
      'policy/run-as-root error',
      'policy/run-as-root warning'
    ])
  })

  test('every built-in rule has a stable, documented id', () => {
    expect(BUILTIN_POLICY_RULES.map((r) => r.id)).toEqual([
      'privileged-container',
      'host-namespace',
      'host-path-volume',
      'host-port',
      'added-capabilities',
      'privilege-escalation',
      'run-as-root',
      'missing-seccomp-profile',
      'mutable-image-tag',
      'missing-requests',
      'missing-limits',
      'missing-readiness-probe',
      'missing-liveness-probe'
    ])
  })
})
