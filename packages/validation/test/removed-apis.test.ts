import { describe, expect, test } from 'vitest'
import { REMOVED_APIS, removedApi, removedApiMessage } from '../src/removed-apis.js'
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
