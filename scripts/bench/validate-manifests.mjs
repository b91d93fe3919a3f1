import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { git, medianMs, node24, repoRoot, round, runAction } from './_util.mjs'

/**
 * validate-manifests on a generated config repo of 100 apps × 3 overlays (plus a Flux Kustomization
 * per overlay):
 * - full run (all checks, the bundle as the runner starts it) against the baseline Flux's
 *   validate.sh uses: `kustomize build` of each overlay, one after another (target ≤ 0.25);
 * - a pull request that changes one overlay, in changed-only mode, against the full run (≤ 0.05),
 *   with the floor such a run cannot go below on this machine (a Node start plus one kustomize call)
 *   printed beside it;
 * - strict schema validation throughput on 50,000 objects (target ≥ 5,000/s).
 * The generated repo is clean: any failing run of the action throws, and the bench exits 1.
 */
export async function* run() {
  const apps = Number(process.env.BENCH_APPS ?? 100)
  const repo = generateRepo(apps)
  const overlays = []
  for (let i = 0; i < apps; i++) for (const env of ENVIRONMENTS) overlays.push(`apps/app${i}/overlays/${env.name}`)
  const base = git(repo, 'rev-parse', 'HEAD')
  git(repo, 'checkout', '-q', '-b', 'pr')
  const prApp = `app${Math.min(7, apps - 1)}`
  writeFileSync(join(repo, `apps/${prApp}/overlays/staging/deployment-patch.yaml`), deploymentPatch(prApp, 'staging', 4))
  git(repo, 'commit', '-q', '-am', `scale ${prApp} in staging`)

  const kustomize = renderer()
  kustomize(join(repo, overlays[0])) // warm the file cache
  const start = process.hrtime.bigint()
  for (const overlay of overlays) kustomize(join(repo, overlay))
  const baselineMs = Number(process.hrtime.bigint() - start) / 1e6

  const env = { GITHUB_REPOSITORY: 'org/config-repo' }
  const full = await timed(() => runAction('validate-manifests', { workspace: repo, env, timeoutMs: 600_000 }))
  const head = git(repo, 'rev-parse', 'HEAD')
  const changedRun = () =>
    timed(() =>
      runAction('validate-manifests', {
        workspace: repo,
        env,
        eventName: 'pull_request',
        event: { pull_request: { number: 1, base: { sha: base }, head: { sha: head } } },
        inputs: { 'changed-only': 'true' },
        timeoutMs: 600_000
      })
    )
  // A short run on a shared machine: the median of three.
  const changedRuns = [await changedRun(), await changedRun(), await changedRun()].sort((a, b) => a.ms - b.ms)
  const changed = changedRuns[1]
  if (changed.result.outputs.roots !== `apps/${prApp}/overlays/staging`)
    throw new Error(`changed-only checked ${changed.result.outputs.roots}`)
  const changedOverlay = join(repo, `apps/${prApp}/overlays/staging`)
  const floorMs = await medianMs(() => {
    spawnSync(node24, ['-e', '0'])
    kustomize(changedOverlay)
  }, 3)

  yield ['validate-manifests.overlays', overlays.length]
  yield ['validate-manifests.baseline_sequential_kustomize_ms', round(baselineMs, 0)]
  yield ['validate-manifests.full_run_ms', round(full.ms, 0)]
  yield ['validate-manifests.full_run_kustomize_calls', full.result.json.stats.renderCalls]
  yield ['validate-manifests.full_vs_baseline_ratio', round(full.ms / baselineMs, 3), '≤ 0.25']
  yield ['validate-manifests.changed_only_ms', round(changed.ms, 0)]
  yield ['validate-manifests.changed_only_vs_full_ratio', round(changed.ms / full.ms, 3), '≤ 0.05']
  yield ['validate-manifests.changed_only_flux_files_parsed', changed.result.json.stats.fluxFilesParsed]
  yield ['validate-manifests.full_flux_files_parsed', full.result.json.stats.fluxFilesParsed]
  yield ['validate-manifests.changed_only_floor_ms', round(floorMs, 0)]
  yield ['validate-manifests.changed_only_floor_vs_full_ratio', round(floorMs / full.ms, 3)]
  yield ['validate-manifests.changed_only_in_process_ms', round(changed.result.json.stats.durationMs, 0)]
  yield ['validate-manifests.full_in_process_ms', round(full.result.json.stats.durationMs, 0)]
  yield [
    'validate-manifests.changed_only_vs_full_in_process_ratio',
    round(changed.result.json.stats.durationMs / full.result.json.stats.durationMs, 3)
  ]
  // What every run loads (index.js) against all the bundle holds (plus the per-apiVersion chunks).
  const bundle = join(repoRoot, 'dist', 'validate-manifests')
  const kib = (files) => round(files.reduce((sum, file) => sum + statSync(join(bundle, file)).size, 0) / 1024, 0)
  yield ['validate-manifests.bundle_entry_kib', kib(['index.js'])]
  yield ['validate-manifests.bundle_all_js_kib', kib(readdirSync(bundle).filter((file) => file.endsWith('.js')))]
  for (const [name, value, goal] of schemaThroughput()) yield [`validate-manifests.${name}`, value, goal]
}

const ENVIRONMENTS = [
  { name: 'dev', tag: 'sha-abc1234', replicas: 1, interval: '1m' },
  { name: 'staging', tag: 'myapp-staging-abc1234', replicas: 2, interval: '2m' },
  { name: 'prod', tag: 'v1.2.3', replicas: 3, interval: '5m' }
]

function write(root, path, text) {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), text)
}

function deploymentPatch(app, env, replicas) {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n      - name: ${app}\n        env:\n        - name: ENVIRONMENT\n          value: ${env}\n`
}

/** The seed's shape, clean: base + dev/staging/prod overlays per app, Flux Kustomizations in cluster-configs. */
export function generateRepo(apps) {
  const root = mkdtempSync(join(tmpdir(), 'bench-config-'))
  git(root, 'init', '-q', '-b', 'main')
  git(root, 'config', 'user.email', 'b@example.com')
  git(root, 'config', 'user.name', 'bench')
  write(
    root,
    'cluster-configs/config-repo.yaml',
    'apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: config-repo\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://github.com/org/config-repo\n  ref:\n    branch: main\n'
  )
  for (let i = 0; i < apps; i++) {
    const app = `app${i}`
    write(
      root,
      `apps/${app}/base/kustomization.yaml`,
      // No images entry here: each overlay's entry names `${app}` and sets registry name and tag, as in
      // examples/config-repo (a base that renamed the image already would make those entries match nothing).
      `resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n`
    )
    write(
      root,
      `apps/${app}/base/deployment.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n  labels:\n    app.kubernetes.io/name: ${app}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${app}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: ${app}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n      containers:\n      - name: ${app}\n        image: ${app}\n        ports:\n        - name: http\n          containerPort: 8080\n        securityContext:\n          allowPrivilegeEscalation: false\n          capabilities:\n            drop: ["ALL"]\n        resources:\n          requests:\n            cpu: 50m\n            memory: 64Mi\n          limits:\n            cpu: 200m\n            memory: 128Mi\n        readinessProbe:\n          httpGet:\n            path: /healthz\n            port: http\n        livenessProbe:\n          httpGet:\n            path: /healthz\n            port: http\n`
    )
    write(
      root,
      `apps/${app}/base/service.yaml`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\nspec:\n  selector:\n    app.kubernetes.io/name: ${app}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n`
    )
    write(
      root,
      `apps/${app}/base/configmap.yaml`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\ndata:\n  LOG_LEVEL: info\n`
    )
    for (const env of ENVIRONMENTS) {
      const dir = `apps/${app}/overlays/${env.name}`
      const tag = env.tag.replace('myapp', app)
      write(
        root,
        `${dir}/kustomization.yaml`,
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app-${env.name}\nresources:\n- ../../base\npatches:\n- path: deployment-patch.yaml\nimages:\n- name: ${app}\n  newName: ghcr.io/org/${app}\n  newTag: "${tag}"\n`
      )
      write(root, `${dir}/deployment-patch.yaml`, deploymentPatch(app, env.name, env.replicas))
      write(
        root,
        `cluster-configs/apps/${app}-${env.name}.yaml`,
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${app}-${env.name}\n  namespace: flux-system\nspec:\n  interval: ${env.interval}\n  sourceRef:\n    kind: GitRepository\n    name: config-repo\n  path: ./${dir}\n  prune: true\n  targetNamespace: app-${env.name}\n  timeout: ${env.interval}\n  healthChecks:\n  - apiVersion: apps/v1\n    kind: Deployment\n    name: ${app}\n    namespace: app-${env.name}\n`
      )
    }
  }
  write(
    root,
    'CODEOWNERS',
    '*  @org/platform-team\n/apps/*/overlays/prod/  @org/platform-team @org/senior-platform-engineers @org/app-team-leads\n/CODEOWNERS  @org/platform-team @org/senior-platform-engineers\n'
  )
  git(root, 'add', '-A')
  git(root, 'commit', '-q', '-m', 'config repo')
  return root
}

/** `kustomize build` if on PATH, else `kubectl kustomize`, called once per overlay as validate.sh does. */
function renderer() {
  const hasKustomize = spawnSync('kustomize', ['version']).status === 0
  return (dir) =>
    execFileSync(hasKustomize ? 'kustomize' : 'kubectl', [hasKustomize ? 'build' : 'kustomize', dir], { maxBuffer: 64 * 1024 * 1024 })
}

async function timed(fn) {
  const start = process.hrtime.bigint()
  const result = await fn()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.exitCode !== 0) {
    const annotations = result.annotations.map((a) => `${a.level} ${a.properties.file ?? ''}:${a.properties.line ?? ''} ${a.message}`)
    throw new Error(
      `validate-manifests exited ${result.exitCode} on the generated repo, which must pass:\n${annotations.slice(0, 20).join('\n')}${
        annotations.length > 20 ? `\n… ${annotations.length - 20} more` : ''
      }\n${result.stderr}`
    )
  }
  return { ms, result }
}

/** Runs the schema validator from the sources in a child Node (type stripping), on 50,000 objects. */
function schemaThroughput() {
  const script = `
    const { loadSchemas, validateObject } = await import(${JSON.stringify(join(repoRoot, 'packages/validation/src/schema.ts'))})
    const kinds = [
      (i) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app' + i, namespace: 'app-dev', labels: { app: 'a' } }, spec: { replicas: 2, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'a', image: 'ghcr.io/org/a:v1.2.3', ports: [{ name: 'http', containerPort: 8080 }], resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }, readinessProbe: { httpGet: { path: '/healthz', port: 'http' } }, env: [{ name: 'ENVIRONMENT', value: 'dev' }] }] } } } }),
      (i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' + i, namespace: 'app-dev' }, spec: { selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }),
      (i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' + i, namespace: 'app-dev' }, data: { LOG_LEVEL: 'info' } }),
      (i) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'hpa' + i }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }] } }),
      (i) => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k' + i, namespace: 'flux-system' }, spec: { interval: '5m', path: './apps/a', prune: true, sourceRef: { kind: 'GitRepository', name: 'config-repo' }, targetNamespace: 'app-dev', healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'a', namespace: 'app-dev' }] } })
    ]
    const objects = Array.from({ length: 50000 }, (_, i) => kinds[i % kinds.length](i))
    for (let i = 0; i < objects.length; i += 1000) objects[i].spec.replica = 1 // a typo every thousand objects
    await loadSchemas(objects) // the validators of the five apiVersions, loaded once per run
    const start = process.hrtime.bigint()
    let problems = 0
    for (const object of objects) problems += validateObject(object).length
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    console.log(JSON.stringify({ ms, problems }))
  `
  const out = execFileSync(
    node24,
    [
      '--experimental-transform-types',
      '--no-warnings',
      '--import',
      join(repoRoot, 'scripts/lib/ts-hooks.mjs'),
      '--input-type=module',
      '-e',
      script
    ],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024
    }
  )
  const { ms, problems } = JSON.parse(out.trim().split('\n').pop())
  if (problems < 50) throw new Error(`schema bench found ${problems} problems; expected the 50 planted typos`)
  return [
    ['schema_objects', 50000],
    ['schema_objects_per_s', round(50000 / (ms / 1000), 0), '≥ 5000'],
    ['schema_problems_found', problems]
  ]
}
