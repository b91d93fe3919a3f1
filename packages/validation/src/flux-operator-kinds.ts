import type { KubeObject } from '@gitops-actions/core'

/**
 * The Flux Operator, which installs Flux on most new clusters (`FluxInstance`), patches Flux's
 * notification CRDs as it installs them: an Alert may take events from its FluxInstance and
 * ResourceSet objects, and a Receiver may trigger them. The packaged Flux schemas are the CRDs as
 * Flux releases them, without those values, so an Alert watching its FluxInstance (Diaoul/home-ops)
 * is valid on the cluster although the schema's enum says otherwise. A misspelt kind still is not.
 */
const OPERATOR_KINDS = new Set(['FluxInstance', 'ResourceSet', 'ResourceSetInputProvider'])

const WIDENED: Record<string, RegExp> = {
  Alert: /^\/spec\/eventSources\/\d+\/kind$/,
  Receiver: /^\/spec\/resources\/\d+\/kind$/
}

/** Whether an enum violation at `instancePath` is a value the Flux Operator adds to the CRD's enum. */
export function widenedByFluxOperator(object: KubeObject, instancePath: string, value: unknown): boolean {
  if (!String(object.apiVersion ?? '').startsWith('notification.toolkit.fluxcd.io/')) return false
  const path = WIDENED[object.kind ?? '']
  return path !== undefined && path.test(instancePath) && typeof value === 'string' && OPERATOR_KINDS.has(value)
}
