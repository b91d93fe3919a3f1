/**
 * Kubernetes API versions that the API server no longer serves, from the Kubernetes "Deprecated API
 * Migration Guide" (kubernetes.io/docs/reference/using-api/deprecation-guide/, "Removed APIs by
 * release"). A manifest written with one of them renders fine and passes an offline schema (the
 * model packages still carry the old schemas), yet `kubectl apply` or Flux fails on the cluster with
 * "no matches for kind". Pure data plus a lookup, like kubent's and pluto's tables.
 */

import { kubernetesMinor, type ClusterVersion } from '@gitops-actions/core'

export interface RemovedApi {
  /** The apiVersions that stopped being served, e.g. `extensions/v1beta1`. */
  apiVersions: readonly string[]
  kinds: readonly string[]
  /** The Kubernetes release that stopped serving them, e.g. `v1.16`. */
  removedIn: string
  /**
   * The apiVersion to use instead, and the release that serves it since. Where the guide names a
   * replacement that was itself removed later (flowcontrol v1beta2, PodSecurityPolicy policy/v1beta1),
   * this is the version served today.
   */
  replacement?: { apiVersion: string; since: string }
  /** What to do when the kind has no replacement API at all. */
  instead?: string
}

/** For PodSecurityPolicy, which the guide retires without a successor. */
const NO_PSP =
  'PodSecurityPolicy has no replacement API (its admission controller is gone as well): use Pod Security Admission (pod-security.kubernetes.io labels on the namespace) or a third-party admission webhook'

// removed in, apiVersions, kinds, apiVersion to use (served since), or what to do instead. Newest first.
// Two rows deviate from the guide's text on purpose: where it names a replacement that a later
// release removed too (flowcontrol v1beta1 → v1beta2; extensions/v1beta1 PodSecurityPolicy →
// policy/v1beta1), the row names what Kubernetes serves today.
const TABLE: ReadonlyArray<readonly [string, string, string, string]> = [
  ['v1.32', 'flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema PriorityLevelConfiguration', 'flowcontrol.apiserver.k8s.io/v1 v1.29'],
  ['v1.29', 'flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema PriorityLevelConfiguration', 'flowcontrol.apiserver.k8s.io/v1 v1.29'],
  ['v1.27', 'storage.k8s.io/v1beta1', 'CSIStorageCapacity', 'storage.k8s.io/v1 v1.24'],
  ['v1.26', 'flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema PriorityLevelConfiguration', 'flowcontrol.apiserver.k8s.io/v1 v1.29'],
  ['v1.26', 'autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'autoscaling/v2 v1.23'],
  ['v1.25', 'batch/v1beta1', 'CronJob', 'batch/v1 v1.21'],
  ['v1.25', 'discovery.k8s.io/v1beta1', 'EndpointSlice', 'discovery.k8s.io/v1 v1.21'],
  ['v1.25', 'events.k8s.io/v1beta1', 'Event', 'events.k8s.io/v1 v1.19'],
  ['v1.25', 'autoscaling/v2beta1', 'HorizontalPodAutoscaler', 'autoscaling/v2 v1.23'],
  ['v1.25', 'policy/v1beta1', 'PodDisruptionBudget', 'policy/v1 v1.21'],
  ['v1.25', 'policy/v1beta1', 'PodSecurityPolicy', NO_PSP],
  ['v1.25', 'node.k8s.io/v1beta1', 'RuntimeClass', 'node.k8s.io/v1 v1.20'],
  [
    'v1.22',
    'admissionregistration.k8s.io/v1beta1',
    'MutatingWebhookConfiguration ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 v1.16'
  ],
  ['v1.22', 'apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition', 'apiextensions.k8s.io/v1 v1.16'],
  ['v1.22', 'apiregistration.k8s.io/v1beta1', 'APIService', 'apiregistration.k8s.io/v1 v1.10'],
  ['v1.22', 'authentication.k8s.io/v1beta1', 'TokenReview', 'authentication.k8s.io/v1 v1.6'],
  [
    'v1.22',
    'authorization.k8s.io/v1beta1',
    'LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview SelfSubjectRulesReview',
    'authorization.k8s.io/v1 v1.6'
  ],
  ['v1.22', 'certificates.k8s.io/v1beta1', 'CertificateSigningRequest', 'certificates.k8s.io/v1 v1.19'],
  ['v1.22', 'coordination.k8s.io/v1beta1', 'Lease', 'coordination.k8s.io/v1 v1.14'],
  ['v1.22', 'extensions/v1beta1 networking.k8s.io/v1beta1', 'Ingress', 'networking.k8s.io/v1 v1.19'],
  ['v1.22', 'networking.k8s.io/v1beta1', 'IngressClass', 'networking.k8s.io/v1 v1.19'],
  ['v1.22', 'rbac.authorization.k8s.io/v1beta1', 'ClusterRole ClusterRoleBinding Role RoleBinding', 'rbac.authorization.k8s.io/v1 v1.8'],
  ['v1.22', 'scheduling.k8s.io/v1beta1', 'PriorityClass', 'scheduling.k8s.io/v1 v1.14'],
  ['v1.22', 'storage.k8s.io/v1beta1', 'CSIDriver', 'storage.k8s.io/v1 v1.19'],
  ['v1.22', 'storage.k8s.io/v1beta1', 'CSINode', 'storage.k8s.io/v1 v1.17'],
  ['v1.22', 'storage.k8s.io/v1beta1', 'StorageClass', 'storage.k8s.io/v1 v1.6'],
  ['v1.22', 'storage.k8s.io/v1beta1', 'VolumeAttachment', 'storage.k8s.io/v1 v1.13'],
  ['v1.16', 'extensions/v1beta1', 'NetworkPolicy', 'networking.k8s.io/v1 v1.8'],
  ['v1.16', 'extensions/v1beta1 apps/v1beta2', 'DaemonSet', 'apps/v1 v1.9'],
  ['v1.16', 'extensions/v1beta1 apps/v1beta1 apps/v1beta2', 'Deployment ReplicaSet', 'apps/v1 v1.9'],
  ['v1.16', 'apps/v1beta1 apps/v1beta2', 'StatefulSet', 'apps/v1 v1.9'],
  ['v1.16', 'extensions/v1beta1', 'PodSecurityPolicy', NO_PSP]
]

/** The guide's "Removed APIs by release", newest release first. */
export const REMOVED_APIS: readonly RemovedApi[] = TABLE.map(([removedIn, apiVersions, kinds, use]) => {
  const [apiVersion, since] = use.split(' ')
  return {
    apiVersions: apiVersions.split(' '),
    kinds: kinds.split(' '),
    removedIn,
    ...(use === NO_PSP ? { instead: use } : { replacement: { apiVersion: apiVersion!, since: since! } })
  }
})

const byVersionAndKind = new Map<string, RemovedApi>()
for (const entry of REMOVED_APIS) {
  for (const apiVersion of entry.apiVersions) for (const kind of entry.kinds) byVersionAndKind.set(`${apiVersion}/${kind}`, entry)
}

/** The removal that applies to apiVersion/kind, if Kubernetes no longer serves it. */
export function removedApi(apiVersion: string, kind: string): RemovedApi | undefined {
  return byVersionAndKind.get(`${apiVersion}/${kind}`)
}

/** "extensions/v1beta1 Deployment is no longer served since Kubernetes v1.16; use apps/v1 (served since v1.9)". */
export function removedApiMessage(apiVersion: string, kind: string, removal: RemovedApi): string {
  const what = `${apiVersion} ${kind} is no longer served since Kubernetes ${removal.removedIn}`
  if (removal.replacement) {
    return `${what}; use apiVersion: ${removal.replacement.apiVersion} (served since ${removal.replacement.since})`
  }
  return `${what}. ${removal.instead}`
}

/** How the `kustomize/removed-api` rule judges an object, given the cluster's version when gitops.yaml sets one. */
export interface RemovedApiJudgement {
  severity: 'error' | 'warning'
  message: string
}

/**
 * Judges an object in a removed API version against the Kubernetes version of the cluster it goes
 * to. Without a version (gitops.yaml sets none) every removal up to the newest release in the
 * table is an error, as if the cluster ran that release. Removed at or before the cluster's
 * version: an error (the API server refuses the object). Removed in a later release: a warning
 * naming that release, since the cluster still serves it but an upgrade will not.
 */
export function judgeRemovedApi(apiVersion: string, kind: string, removal: RemovedApi, cluster?: ClusterVersion): RemovedApiJudgement {
  if (!cluster) return { severity: 'error', message: removedApiMessage(apiVersion, kind, removal) }
  const removedMinor = kubernetesMinor(removal.removedIn)
  const served = removedMinor > cluster.minor
  const what = served
    ? `${apiVersion} ${kind} is still served by the cluster's Kubernetes ${cluster.version} (${cluster.setBy}) but removed in ${removal.removedIn}: migrate before the cluster is upgraded to ${removal.removedIn}`
    : `${apiVersion} ${kind} is no longer served since Kubernetes ${removal.removedIn}, and the cluster runs ${cluster.version} (${cluster.setBy})`
  let fix: string
  if (removal.replacement) {
    const { apiVersion: use, since } = removal.replacement
    fix = `; use apiVersion: ${use} (served since ${since})`
    if (kubernetesMinor(since) > cluster.minor)
      fix += `, which ${cluster.version} does not serve yet: switch to it when the cluster runs ${since} or later`
  } else {
    fix = `. ${removal.instead}`
  }
  return { severity: served ? 'warning' : 'error', message: what + fix }
}
