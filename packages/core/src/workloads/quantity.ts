/**
 * Kubernetes resource quantities, parsed exactly. The grammar (k8s.io/apimachinery resource.Quantity):
 *
 *   quantity  ::= sign? number suffix
 *   number    ::= digits | digits '.' digits? | '.' digits
 *   suffix    ::= binarySI | decimalSI | ('e' | 'E') sign? digits
 *   binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   decimalSI ::= n | u | m | '' | k | M | G | T | P | E
 *
 * Values are held as bigint counts of nano-units (10^-9), so sums of `100m` and `0.1` or of `1.5Gi`
 * and `512Mi` are exact; like Kubernetes, anything finer than a nano-unit is rounded up.
 * No maintained npm library parses this grammar exactly (the Kubernetes client's helper returns
 * floating-point numbers), hence this module.
 */

const NANO = 10n ** 9n

const BINARY: Record<string, bigint> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n }
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }

const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/

/** Why a value is not a Kubernetes quantity, or undefined when it is one. */
export function quantityProblem(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${value} is not a quantity`
  if (typeof value !== 'string') return `expected a quantity such as 500m or 1Gi, found ${JSON.stringify(value)}`
  if (!GRAMMAR.test(value)) {
    return `'${value}' is not a Kubernetes quantity (a number with an optional suffix: m, k, M, G, T, Ki, Mi, Gi, Ti, or an exponent such as 1e3)`
  }
  const exponent = /[eE]([+-]?\d+)$/.exec(value)
  if (exponent && Math.abs(Number(exponent[1])) > 30) return `'${value}': the exponent is out of range`
  return undefined
}

/** Parses a quantity (a string, or a number as YAML gives `cpu: 1`) into nano-units. Throws on anything else. */
export function parseQuantity(value: unknown): bigint {
  const problem = quantityProblem(value)
  if (problem) throw new RangeError(problem)
  const text = typeof value === 'number' ? numberText(value) : (value as string)
  const [, sign, number, suffix = ''] = GRAMMAR.exec(text)!
  const [whole = '', fraction = ''] = number!.split('.')
  // mantissa × 10^-fraction.length, scaled by the suffix, in nano-units, rounded up.
  let numerator = BigInt((whole || '0') + fraction) * NANO
  let denominator = 10n ** BigInt(fraction.length)
  if (suffix in BINARY) {
    numerator *= BINARY[suffix]!
  } else {
    const exponent = suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1))
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent)
    else denominator *= 10n ** BigInt(-exponent)
  }
  const nanos = (numerator + denominator - 1n) / denominator
  return sign === '-' ? -nanos : nanos
}

function numberText(value: number): string {
  // YAML numbers such as 0.5 or 1e3; toString gives e-notation (`1e+21`) for large values, which the grammar accepts.
  return String(value)
}

export type ResourceName = 'cpu' | 'memory' | 'ephemeral-storage'
export const RESOURCE_NAMES: readonly ResourceName[] = ['cpu', 'memory', 'ephemeral-storage']

/**
 * A quantity in nano-units, written the way people read it: CPU in cores or millicores (`2`, `1500m`),
 * memory and storage in the largest binary unit that divides it (`3Gi`, `1536Mi`), else decimal.
 */
export function formatQuantity(nanos: bigint, resource: ResourceName): string {
  const sign = nanos < 0n ? '-' : ''
  const abs = nanos < 0n ? -nanos : nanos
  if (resource === 'cpu') {
    if (abs % NANO === 0n) return `${sign}${abs / NANO}`
    const milli = NANO / 1000n
    if (abs % milli === 0n) return `${sign}${abs / milli}m`
    return `${sign}${abs}n`
  }
  if (abs % NANO === 0n) {
    const units = abs / NANO
    if (units === 0n) return '0'
    for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      if (units % BINARY[suffix]! === 0n) return `${sign}${units / BINARY[suffix]!}${suffix}`
    }
    return `${sign}${units}`
  }
  const milli = NANO / 1000n
  if (abs % milli === 0n) return `${sign}${abs / milli}m`
  return `${sign}${abs}n`
}
