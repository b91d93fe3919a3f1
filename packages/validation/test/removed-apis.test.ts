import { describe, expect, test } from 'vitest'
import { judgeRemovedApi, REMOVED_APIS, removedApi, removedApiMessage } from '../src/removed-apis.js'
import { hasSchema } from '../src/schema.js'

describe('removed Kubernetes API versions (the deprecation guide, by release)', () => {
  test.each([
    ['extensions/v1beta1', 'Deployment', 'v1.16', 'apps/v1'],
    ['apps/v1beta1', 'Deployment', 'v1.16', 'apps/v1'],
    ['apps/v1beta2', 'Deployment', 'v1.16', 'apps/v1'],
    ['apps/v1beta1', 'StatefulSet', 'v1.16', 'apps/v1'],
    ['apps/v1beta2', 'DaemonSet', 'v1.16', 'apps/v1'],
    ['extensions/v1beta1', 'ReplicaSet', 'v1.16', 'apps/v1'],
    ['extensions/v1beta1', 'NetworkPolicy', 'v1.16', 'networking.k8s.io/v1'],
    ['extensions/v1beta1', 'PodSecurityPolicy', 'v1.16', undefined],
    ['extensions/v1beta1', 'Ingress', 'v1.22', 'networking.k8s.io/v1'],
    ['networking.k8s.io/v1beta1', 'Ingress', 'v1.22', 'networking.k8s.io/v1'],
    ['networking.k8s.io/v1beta1', 'IngressClass', 'v1.22', 'networking.k8s.io/v1'],
    ['rbac.authorization.k8s.io/v1beta1', 'ClusterRoleBinding', 'v1.22', 'rbac.authorization.k8s.io/v1'],
    ['apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition', 'v1.22', 'apiextensions.k8s.io/v1'],
    ['admissionregistration.k8s.io/v1beta1', 'ValidatingWebhookConfiguration', 'v1.22', 'admissionregistration.k8s.io/v1'],
    ['storage.k8s.io/v1beta1', 'CSIDriver', 'v1.22', 'storage.k8s.io/v1'],
    ['storage.k8s.io/v1beta1', 'CSINode', 'v1.22', 'storage.k8s.io/v1'],
    ['scheduling.k8s.io/v1beta1', 'PriorityClass', 'v1.22', 'scheduling.k8s.io/v1'],
    ['batch/v1beta1', 'CronJob', 'v1.25', 'batch/v1'],
    ['policy/v1beta1', 'PodDisruptionBudget', 'v1.25', 'policy/v1'],
    ['policy/v1beta1', 'PodSecurityPolicy', 'v1.25', undefined],
    ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', 'v1.25', 'autoscaling/v2'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'v1.26', 'autoscaling/v2'],
    ['flowcontrol.apiserver.k8s.io/v1beta1', 'FlowSchema', 'v1.26', 'flowcontrol.apiserver.k8s.io/v1'],
    ['storage.k8s.io/v1beta1', 'CSIStorageCapacity', 'v1.27', 'storage.k8s.io/v1'],
    ['flowcontrol.apiserver.k8s.io/v1beta2', 'PriorityLevelConfiguration', 'v1.29', 'flowcontrol.apiserver.k8s.io/v1'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', 'v1.32', 'flowcontrol.apiserver.k8s.io/v1']
  ])('%s %s: removed in %s, use %s', (apiVersion, kind, removedIn, replacement) => {
    const removal = removedApi(apiVersion, kind)
    expect(removal?.removedIn).toBe(removedIn)
    expect(removal?.replacement?.apiVersion).toBe(replacement)
  })

  test.each([
    ['apps/v1', 'Deployment'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    ['networking.k8s.io/v1', 'Ingress'],
    ['batch/v1', 'CronJob'],
    // storage.k8s.io/v1beta1 still serves kinds the guide does not list (VolumeAttributesClass, beta since v1.31).
    ['storage.k8s.io/v1beta1', 'VolumeAttributesClass'],
    // A custom resource that happens to share a kind name is not Kubernetes' own.
    ['example.com/v1beta1', 'Deployment']
  ])('%s %s is served', (apiVersion, kind) => {
    expect(removedApi(apiVersion, kind)).toBeUndefined()
  })

  test('every replacement is a version Kubernetes serves today (it has a schema, and is not removed itself)', () => {
    for (const entry of REMOVED_APIS) {
      expect(entry.replacement !== undefined || entry.instead !== undefined, `${entry.apiVersions.join()} ${entry.kinds.join()}`).toBe(true)
      if (!entry.replacement) continue
      for (const kind of entry.kinds) {
        expect(hasSchema(entry.replacement.apiVersion, kind), `${entry.replacement.apiVersion} ${kind}`).toBe(true)
        expect(removedApi(entry.replacement.apiVersion, kind)).toBeUndefined()
      }
    }
  })

  test('messages say which release removed it and what to write instead', () => {
    expect(removedApiMessage('extensions/v1beta1', 'Deployment', removedApi('extensions/v1beta1', 'Deployment')!)).toBe(
      'extensions/v1beta1 Deployment is no longer served since Kubernetes v1.16; use apiVersion: apps/v1 (served since v1.9)'
    )
    expect(removedApiMessage('policy/v1beta1', 'PodSecurityPolicy', removedApi('policy/v1beta1', 'PodSecurityPolicy')!)).toContain(
      'use Pod Security Admission'
    )
  })
})

describe("removed APIs judged against the cluster's Kubernetes version (gitops.yaml)", () => {
  const cluster = (minor: number, setBy = 'gitops.yaml kubernetes.version') => ({ version: `v1.${minor}`, minor, setBy })
  const judge = (apiVersion: string, kind: string, minor?: number) =>
    judgeRemovedApi(apiVersion, kind, removedApi(apiVersion, kind)!, minor === undefined ? undefined : cluster(minor))

  test.each([
    // Removed in v1.25: a warning up to v1.24, an error from v1.25 on.
    ['batch/v1beta1', 'CronJob', 24, 'warning'],
    ['batch/v1beta1', 'CronJob', 25, 'error'],
    ['batch/v1beta1', 'CronJob', 31, 'error'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', 25, 'warning'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', 26, 'error'],
    ['networking.k8s.io/v1beta1', 'Ingress', 21, 'warning'],
    ['networking.k8s.io/v1beta1', 'Ingress', 22, 'error'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', 31, 'warning'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', 32, 'error'],
    ['extensions/v1beta1', 'Deployment', 15, 'warning']
  ])('%s %s on v1.%s: %s', (apiVersion, kind, minor, severity) => {
    expect(judge(apiVersion, kind, minor).severity).toBe(severity)
  })

  test('without a version: an error with the message of today', () => {
    expect(judge('batch/v1beta1', 'CronJob')).toEqual({
      severity: 'error',
      message: removedApiMessage('batch/v1beta1', 'CronJob', removedApi('batch/v1beta1', 'CronJob')!)
    })
  })

  test('messages name the release that removes it, the cluster version and where gitops.yaml sets it', () => {
    expect(
      judgeRemovedApi(
        'batch/v1beta1',
        'CronJob',
        removedApi('batch/v1beta1', 'CronJob')!,
        cluster(24, 'gitops.yaml environments[dev].kubernetesVersion')
      ).message
    ).toBe(
      "batch/v1beta1 CronJob is still served by the cluster's Kubernetes v1.24 (gitops.yaml environments[dev].kubernetesVersion) but removed in v1.25: migrate before the cluster is upgraded to v1.25; use apiVersion: batch/v1 (served since v1.21)"
    )
    expect(judge('batch/v1beta1', 'CronJob', 27).message).toBe(
      'batch/v1beta1 CronJob is no longer served since Kubernetes v1.25, and the cluster runs v1.27 (gitops.yaml kubernetes.version); use apiVersion: batch/v1 (served since v1.21)'
    )
    // The replacement is newer than the cluster: say so rather than advise what the API server would refuse.
    expect(judge('policy/v1beta1', 'PodDisruptionBudget', 20).message).toBe(
      "policy/v1beta1 PodDisruptionBudget is still served by the cluster's Kubernetes v1.20 (gitops.yaml kubernetes.version) but removed in v1.25: migrate before the cluster is upgraded to v1.25; use apiVersion: policy/v1 (served since v1.21), which v1.20 does not serve yet: switch to it when the cluster runs v1.21 or later"
    )
    expect(judge('policy/v1beta1', 'PodSecurityPolicy', 24).message).toMatch(
      /but removed in v1.25: .*\. PodSecurityPolicy has no replacement API/
    )
  })
})
