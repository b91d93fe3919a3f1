#!/usr/bin/env node
// Writes packages/validation/src/schema-catalog.ts: every apiVersion that kubernetes-models and the
// @kubernetes-models/* packages below ship validators for, its kinds, and a loader that imports just
// that apiVersion's module. Loading all models up front costs a Node process seconds (tens of MB of
// validators in the bundles); with one dynamic import per apiVersion and package, ncc puts each in a
// chunk of its own and a run loads only what its objects use. `--check` fails instead of writing
// when the committed catalog does not match the installed packages.
//
// It also writes UNREAD_FIELDS: the models' generator strips every `description` and `x-kubernetes-*`
// key from the OpenAPI schemas it compiles, and with them the *properties* of those names (a CRD's
// JSONSchemaProps.description, PriorityClass.description, GatewayClass spec.description…), so the
// validators never read them and the strict unknown-field walk would call them unknown. The type
// declarations still list them: for each type that declares a field its validator never reads, the
// table maps the fields the validator does read (sorted, space-separated) to the ones it leaves out.
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as prettier from 'prettier'
import ts from 'typescript'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const target = join(root, 'packages', 'validation', 'src', 'schema-catalog.ts')

/**
 * The packages, and what their groups are: `kubernetes` for the APIs Kubernetes itself serves (a kind
 * missing there is a typo), `flux` for Flux's toolkit (the same), `package` for the custom resources
 * of other projects (a kind missing there may be newer than the package: not checked, not an error).
 */
const PACKAGES = [
  ['kubernetes-models', 'kubernetes'],
  ['@kubernetes-models/flux-cd', 'flux'],
  ['@kubernetes-models/gateway-api', 'package'],
  ['@kubernetes-models/cert-manager', 'package'],
  ['@kubernetes-models/prometheus-operator', 'package'],
  ['@kubernetes-models/istio', 'package'],
  ['@kubernetes-models/external-secrets', 'package'],
  ['@kubernetes-models/sealed-secrets', 'package'],
  ['@kubernetes-models/keda', 'package'],
  ['@kubernetes-models/argo-rollouts', 'package'],
  ['@kubernetes-models/argo-cd', 'package'],
  ['@kubernetes-models/traefik', 'package'],
  ['@kubernetes-models/kyverno', 'package']
]

/**
 * Models in the order the validator has always listed them (module namespaces enumerate their
 * exports sorted, so: group, version, kind), each apiVersion of a package once with its kinds in that order.
 */
async function catalog() {
  const modules = []
  const sources = []
  for (const [name, origin] of PACKAGES) {
    const manifest = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8'))
    sources.push(`${name}@${manifest.version}`)
    const mine = new Map()
    const collect = (namespace, depth) => {
      for (const value of Object.values(namespace)) {
        if (typeof value === 'function') {
          if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.prototype?.validate) continue
          let entry = mine.get(value.apiVersion)
          if (!entry) {
            const specifier = `${name}/${value.apiVersion}`
            if (!manifest.exports?.[`./${value.apiVersion}`]) throw new Error(`${name} exports no ./${value.apiVersion}`)
            const source = origin === 'package' ? `${name}@${manifest.version}` : undefined
            mine.set(value.apiVersion, (entry = { apiVersion: value.apiVersion, origin, source, specifier, kinds: [] }))
            modules.push(entry)
          }
          if (!entry.kinds.includes(value.kind)) entry.kinds.push(value.kind)
        } else if (value && typeof value === 'object' && depth < 4) {
          collect(value, depth + 1)
        }
      }
    }
    collect(await import(name), 0)
  }
  // A validator that needs re2-wasm (Go's regular expressions, a WebAssembly build that the ncc
  // bundle cannot carry: it looks for re2.wasm beside __dirname) cannot load in the action. Such an
  // apiVersion is split into one module per kind, and the kinds that need re2 are left out (not
  // checked, as without a schema); the others still load on their own.
  const split = []
  const re2Only = []
  for (const entry of modules) {
    if (!(await needsRe2(entry.specifier))) {
      split.push(entry)
      continue
    }
    // (List kinds are never written in a repository: no chunk of their own for them.)
    for (const kind of entry.kinds.filter((k) => !k.endsWith('List'))) {
      const specifier = `${entry.specifier}/${kind}`
      if (!(await needsRe2(specifier))) split.push({ ...entry, specifier, kinds: [kind] })
      else re2Only.push([`${entry.apiVersion}/${kind}`, entry.source ?? entry.specifier.split('/').slice(0, -1).join('/')])
    }
  }
  return { modules: split, sources, re2Only }
}

const re2Cache = new Map()
/** Whether a module's static imports reach re2-wasm. */
async function needsRe2(specifier, seen = new Set()) {
  const file = specifier.startsWith('file:') ? fileURLToPath(specifier) : fileURLToPath(import.meta.resolve(specifier))
  if (re2Cache.has(file)) return re2Cache.get(file)
  if (seen.has(file)) return false
  seen.add(file)
  const text = await readFile(file, 'utf8')
  let result = false
  for (const match of text.matchAll(/(?:from|import)\s*"([^"]+)"/g)) {
    const target = match[1]
    if (target === 're2-wasm' || target.endsWith('/runtime/re2')) result = true
    else if (target.startsWith('.')) result = await needsRe2(pathToFileURL(resolve(dirname(file), target)).href, seen)
    else if (target.startsWith('@kubernetes-models/') || target.startsWith('kubernetes-models/')) result = await needsRe2(target, seen)
    if (result) break
  }
  re2Cache.set(file, result)
  return result
}

async function filesUnder(dir, suffix) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name))
}

/** Declared fields that no validator reads, keyed by the fields their type's validator does read. */
async function unreadFields() {
  const dirs = [...new Set([...PACKAGES.map(([name]) => name), '@kubernetes-models/apimachinery'])].map((name) =>
    join(root, 'node_modules', name)
  )
  const read = new Set()
  const declarations = []
  for (const dir of dirs) {
    for (const file of await filesUnder(dir, '.js')) {
      const text = await readFile(file, 'utf8')
      // Two passes: a quoted name may be mis-paired in minified code, and must not hide a data.name read.
      for (const match of text.matchAll(/\bdata\d*\.([A-Za-z_$][\w$]*)/g)) read.add(match[1])
      for (const match of text.matchAll(/"([A-Za-z_$][\w$.-]*)"/g)) read.add(match[1])
    }
    declarations.push(...(await filesUnder(dir, '.d.ts')))
  }
  const table = new Map()
  for (const file of declarations) {
    const text = await readFile(file, 'utf8')
    // Only files that declare a quoted field no validator reads are worth parsing.
    if (![...text.matchAll(/"([^"\\]+)"\??:/g)].some((m) => !read.has(m[1]))) continue
    const visit = (node) => {
      if (ts.isInterfaceDeclaration(node) || ts.isTypeLiteralNode(node)) {
        const names = node.members
          .filter((m) => ts.isPropertySignature(m) && m.name && (ts.isStringLiteral(m.name) || ts.isIdentifier(m.name)))
          .map((m) => m.name.text)
        const unread = names.filter((n) => !read.has(n))
        const known = names.filter((n) => read.has(n)).sort()
        if (unread.length > 0 && known.length > 0) {
          const key = known.join(' ')
          table.set(key, [...new Set([...(table.get(key) ?? []), ...unread])].sort())
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest))
  }
  return [...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

async function render() {
  const { modules, sources, re2Only } = await catalog()
  const unread = await unreadFields()
  const rows = modules.map(
    ({ apiVersion, origin, source, specifier, kinds }) =>
      `{ apiVersion: ${JSON.stringify(apiVersion)}, origin: '${origin}',${source ? ` source: ${JSON.stringify(source)},` : ''} kinds: ${JSON.stringify(kinds.join(' '))}, load: () => import(${JSON.stringify(specifier)}) }`
  )
  const text = `// Generated by scripts/schema-catalog.mjs from ${sources.join(', ')}.
// Do not edit: npm run build regenerates it.

/**
 * The models of one apiVersion in one package: the kinds it serves, where the group comes from
 * (\`kubernetes\`: served by Kubernetes itself; \`flux\`: Flux's toolkit; \`package\`: another project's
 * custom resources), and the import that loads their validators.
 */
export interface SchemaModule {
  apiVersion: string
  origin: 'kubernetes' | 'flux' | 'package'
  /**
   * For another project's custom resources: the package and version the validators come from. Its
   * schema may be older than what the cluster runs (a field added since is not in it).
   */
  source?: string
  /** Space-separated (the catalog is part of the entry bundle: every byte counts). */
  kinds: string
  load: () => Promise<object>
}

/** Every apiVersion with offline validators, per package. */
export const SCHEMA_MODULES: readonly SchemaModule[] = [
${rows.join(',\n')}
]

/**
 * Kinds whose packaged validators need Go's regular expressions (re2-wasm, which the bundles cannot
 * carry): apiVersion/kind → the package. Not checked unless the repository gives their CRD.
 */
export const RE2_ONLY: ReadonlyMap<string, string> = new Map<string, string>(${JSON.stringify(re2Only)})

/**
 * Fields the types declare but their validators never read (the models' generator drops properties
 * named \`description\` or \`x-kubernetes-*\`), keyed by the sorted fields the validator of that type reads.
 */
export const UNREAD_FIELDS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>(${JSON.stringify(unread)})
`
  const options = (await prettier.resolveConfig(target)) ?? {}
  return prettier.format(text, { ...options, filepath: target })
}

const text = await render()
if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '')
  if (committed !== text) {
    console.error(`${target} does not match the installed models: run npm run build (or node scripts/schema-catalog.mjs)`)
    process.exit(1)
  }
} else {
  await writeFile(target, text)
  console.log(`wrote ${target}`)
}
