import { posix } from 'node:path'
import { isMap, isPair, isScalar, isSeq, Scalar, visit, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml'
import { defaultGitopsConfig, environmentByName, type GitopsConfig } from '../config/gitops-config.js'
import type { EnvironmentConfig } from '../config/environments.js'
import { parameterError, UserError, type Subject } from '../errors.js'
import type { FileEdit } from '../file-edits.js'
import { isWithin, joinRepoPath, matchLayoutPath, normalizeRepoPath } from '../repo-paths.js'
import type { RepoReader } from '../repo-reader.js'
import { ImageNameSet, imageNameProblem, parseImageReference, sameImageName, tagProblem } from '../tags/image-reference.js'
import { parseYamlFile, parseYamlStream } from '../yaml-source.js'
import { environmentTagProblem } from './tag-rules.js'
import {
  appendSeqItem,
  applySplices,
  blockItem,
  deleteMapKey,
  keepFinalNewline,
  lineBreakOf,
  lineOf,
  pairOf,
  replaceScalar,
  sequenceIndent,
  setMapValue,
  stringAt,
  withLineBreak,
  type Splice
} from './yaml-text-edit.js'

/** One image to change, with `kustomize edit set image` semantics. */
export interface ImageChange {
  /** The name as the kustomization's `images[].name` writes it (`myapp`), or the full registry path (`ghcr.io/org/myapp`). */
  image: string
  /** The new tag. Alone, it drops an existing digest. */
  tag?: string | undefined
  /** The new digest (`sha256:…`). Alone, it drops an existing tag; with a tag, both are kept. */
  digest?: string | undefined
  /** A new registry path for the image (`newName`); without it an existing newName is kept. */
  newName?: string | undefined
  /**
   * Where the change came from, for error messages: a text ("Promotion of myapp"), or the parameter
   * it was given in ({ parameter: 'tag' }), which the caller names ("Input 'tag'", "--tag").
   */
  source?: Subject | undefined
  /** The line of the source's text the change is on (the `images` input's lines). */
  line?: number | undefined
}

/** What to change where. */
export interface ImageUpdateRequest {
  /** Overlay directories as repo paths (`apps/myapp/overlays/dev`). */
  overlays: readonly string[]
  changes: readonly ImageChange[]
  /** gitops.yaml (tag rules, layout); the seed's defaults when absent. */
  config?: GitopsConfig | undefined
  /** The environment of every overlay; otherwise read from each overlay's path through `layout.overlay`. */
  environment?: string | undefined
  /** The app (for `{app}` in allowedTags); otherwise read from the overlay's path. */
  app?: string | undefined
  /**
   * Add an `images:` entry to an overlay that has none for the image (default true). The entry is
   * only right if the overlay's render uses the image: verifyImageUpdate() checks that, and a
   * caller that cannot render should pass false so a missing entry is an error instead.
   */
  addMissing?: boolean | undefined
}

/** Where an image reference was found. */
export type ImageEditKind = 'images' | 'patch' | 'setter'

/** One changed value, for summaries and review. */
export interface ImageEdit {
  overlay: string
  /** Repo path of the file. */
  file: string
  /** 1-based line of the value in the file before the edit (for an added entry, where it goes). */
  line: number
  image: string
  kind: ImageEditKind
  /** `newTag`, `digest`, `newName`, `images[]` (an added entry), `image` (a literal reference), or the setter's policy. */
  field: string
  /** Old value ('' when added). */
  before: string
  /** New value ('' when removed). */
  after: string
}

/** One image in one overlay: what it was, what it becomes, and how to recognize it after a render. */
export interface ImageTarget {
  overlay: string
  environment: string | undefined
  app: string | undefined
  image: string
  tag: string | undefined
  digest: string | undefined
  newName: string | undefined
  previousTag: string | undefined
  previousDigest: string | undefined
  /** The registry path the overlay gave the image before (newName, or the literal reference's name). */
  previousName: string | undefined
  /** Every name containers of this image may carry in the render (for verification). */
  names: string[]
  /** True when the overlay had no reference to the image and an `images:` entry was added. */
  added: boolean
  /** Whether anything changed for this image in this overlay. */
  changed: boolean
  /**
   * Where inline patches of the kustomization set this image. They are not edited (see
   * inlineImages()); the render check names them when one still wins over the edit.
   */
  inlinePatches: InlinePatchImage[]
}

/** The result of planImageUpdate(): file edits to apply, and what they mean. */
export interface ImageUpdatePlan {
  /** Whole-file edits, one per file that changes (nothing for files already right). */
  edits: FileEdit[]
  /** Every value that changes. */
  changes: ImageEdit[]
  /** One per overlay and image, in request order. */
  targets: ImageTarget[]
  changed: boolean
  /** The first target's previous tag / digest (the usual single-image, single-overlay case). */
  previousTag: string | undefined
  previousDigest: string | undefined
}

/** The names kustomize accepts for a kustomization file, in its order. */
const KUSTOMIZATION_FILES: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']

const SETTER = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers'])
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/

/**
 * Parses `name=tag`, `name=tag@digest` and `name=@digest` lines (the `images` input). Blank lines
 * and `#` comments are skipped; each change's source names the input and line.
 */
export function parseImageChangeLines(text: string, what: Subject = "'images'"): ImageChange[] {
  const changes: ImageChange[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const where = { image: line, source: what, line: index + 1 }
    const eq = line.indexOf('=')
    if (eq <= 0) throw changeError(where, `'${line}' is not name=tag, name=tag@digest or name=@digest`)
    const image = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim()
    const at = value.indexOf('@')
    const tag = at < 0 ? value : value.slice(0, at)
    const digest = at < 0 ? undefined : value.slice(at + 1)
    changes.push({ image, tag: tag === '' ? undefined : tag, digest, source: what, line: index + 1 })
  })
  return changes
}

/** Checks one change's grammar (name, tag, digest, new name); the error names its source. */
export function checkImageChange(change: ImageChange): void {
  const nameProblem = imageNameProblem(change.image)
  if (nameProblem) throw changeError(change, nameProblem)
  if (change.tag === undefined && change.digest === undefined) {
    throw changeError(change, `give a tag, a digest or both for '${change.image}' (an empty tag is never deployed)`)
  }
  if (change.tag !== undefined) {
    const problem = tagProblem(change.tag)
    if (problem) throw changeError(change, problem)
  }
  if (change.digest !== undefined && !DIGEST.test(change.digest)) {
    throw changeError(change, `'${change.digest}' is not a valid digest (expected e.g. sha256:<64 hex digits>)`)
  }
  if (change.newName !== undefined) {
    const problem = imageNameProblem(change.newName)
    if (problem) throw changeError(change, problem, 'new name')
  }
}

/**
 * A UserError about a change, naming its source (and line), plus `context` (the overlay, "new
 * name"): "'images' line 2 (overlay apps/a/overlays/dev): …" for a text source, a parameter's
 * error with the detail "line 2, overlay apps/a/overlays/dev: …" for a parameter.
 */
function changeError(change: Pick<ImageChange, 'image' | 'source' | 'line'>, message: string, context?: string): UserError {
  const source = change.source ?? `Image '${change.image}'`
  const line = change.line === undefined ? undefined : `line ${change.line}`
  if (typeof source === 'string') {
    return new UserError(`${[source, line, context && `(${context})`].filter(Boolean).join(' ')}: ${message}`)
  }
  const where = [line, context].filter(Boolean).join(', ')
  return parameterError(source.parameter, where ? `${where}: ${message}` : message)
}

/** The image reference text for a name with the change's tag/digest semantics. */
export function imageReferenceText(name: string, tag: string | undefined, digest: string | undefined): string {
  return `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`
}

interface WorkingFile {
  before: string
  text: string
}

/**
 * Plans an image change in Kustomize overlays without writing anything: reads every file through
 * `reader` (a checkout, the GitHub API or memory) and returns whole-file edits.
 *
 * In each overlay it sets the kustomization's `images[]` entry (tag alone drops the digest, digest
 * alone drops the tag, both give tag@digest, newName kept unless a new one is given), updates
 * literal container image references for the same image in the overlay's patch and resource files,
 * and follows Flux setter markers (`# {"$imagepolicy": "ns:name"}`, `…:tag`, `…:name`, `…:digest`)
 * in any YAML file of the overlay. Edits keep comments, key order and quoting; numeric-looking
 * values are written quoted. When an overlay has no reference to the image, an `images:` entry is
 * added (see `addMissing`). Tags are checked against the environment's rules in gitops.yaml.
 *
 * Bad input, a missing overlay or kustomization, invalid YAML (duplicate keys, alias bombs) and
 * paths leaving the repository are UserErrors naming the input or file:line. Planning the same
 * change again yields no edits (`changed: false`).
 */
export async function planImageUpdate(reader: RepoReader, request: ImageUpdateRequest): Promise<ImageUpdatePlan> {
  const config = request.config ?? defaultGitopsConfig()
  if (request.overlays.length === 0) throw new UserError('No overlay given: name overlay directories, or an app and an environment')
  if (request.changes.length === 0) throw new UserError('No image change given: name an image with a tag or digest')
  request.changes.forEach(checkImageChange)
  const fixedEnvironment = request.environment !== undefined ? environmentByName(config, request.environment) : undefined

  const overlays = [...new Set(request.overlays.map((o) => normalizeRepoPath(o, { parameter: 'overlays' })))]
  const working = new Map<string, WorkingFile>()
  const changes: ImageEdit[] = []
  const targets: ImageTarget[] = []

  for (const overlay of overlays) {
    const matched = matchLayoutPath(config.layout.overlay, overlay)
    // The rules are those of the environment the overlay belongs to: an `environment` input must not
    // let a sha tag into prod's overlay under dev's rules.
    const own = matched?.env ? config.environments.find((e) => e.name === matched.env) : undefined
    if (own && fixedEnvironment && own.name !== fixedEnvironment.name) {
      throw parameterError(
        'environment',
        `'${fixedEnvironment.name}' does not match overlay ${overlay}, which is ${own.name}'s by layout.overlay '${config.layout.overlay}'; give environment ${own.name}, or leave it empty to take each overlay's own`
      )
    }
    const environment = own ?? fixedEnvironment
    const app = request.app ?? matched?.app
    for (const change of request.changes) {
      const problem = change.tag === undefined ? undefined : environmentTagProblem(change.tag, environment, app)
      if (problem) throw changeError(change, problem, `overlay ${overlay}`)
    }
    const files = await overlayFiles(reader, overlay, working)
    for (const change of request.changes) {
      const target = await planOverlayImage(reader, overlay, files, change, working, changes, request.addMissing ?? true)
      targets.push({ ...target, environment: environment?.name, app })
    }
  }

  const edits = [...working.entries()]
    .filter(([, file]) => file.before !== file.text)
    .map(([path, file]) => ({ path, before: file.before, after: file.text }))
  return {
    edits,
    changes,
    targets,
    changed: edits.length > 0,
    previousTag: targets[0]?.previousTag,
    previousDigest: targets[0]?.previousDigest
  }
}

/** The files of one overlay that the planner looks at. */
interface OverlayFiles {
  kustomization: string
  /** Patch and resource files the kustomization names inside the overlay directory (literal references are edited here). */
  referenced: string[]
  /** Every YAML file under the overlay directory (setter markers are honoured here). */
  yaml: string[]
  /** Container image references inside the kustomization's inline patches (never edited: see inlineImages()). */
  inline: InlineImage[]
}

/** A container image set by an inline patch of a kustomization (`patches: - patch: |-`). */
export interface InlinePatchImage {
  /** The kustomization's repo path. */
  file: string
  /** The line of the reference inside the inline patch (the patch's own line when its text is not a literal block). */
  line: number
  /** The reference as the patch writes it. */
  image: string
}

interface InlineImage extends InlinePatchImage {
  name: string
}

async function overlayFiles(reader: RepoReader, overlay: string, working: Map<string, WorkingFile>): Promise<OverlayFiles> {
  const entries = await reader.list(overlay)
  if (!entries) throw new UserError(`Overlay '${overlay}' does not exist in the repository`)
  const name = KUSTOMIZATION_FILES.find((n) => entries.some((e) => e.name === n && e.type === 'file'))
  if (!name) {
    throw new UserError(`Overlay '${overlay}' has no kustomization.yaml (looked for ${KUSTOMIZATION_FILES.join(', ')})`)
  }
  const kustomization = `${overlay}/${name}`
  const text = await readWorking(reader, kustomization, working)
  const source = parseYamlFile(text, kustomization)
  const root = source.document.contents
  if (!isMap(root)) throw new UserError(`${kustomization} is not a YAML map`, { file: kustomization, line: 1 })

  const referenced = new Set<string>()
  const addReference = (value: unknown, node: Node | undefined) => {
    if (typeof value !== 'string' || value.includes('\n') || /^[a-z]+:\/\//.test(value)) return
    // Only files inside the overlay are edited; a reference elsewhere (a shared base, another
    // repo) is not this overlay's to change, so it is not even resolved.
    const joined = posix.normalize(posix.join(overlay, value))
    if (!isWithin(overlay, joined) || !/\.ya?ml$/.test(joined)) return
    referenced.add(joinRepoPath(overlay, value, `${kustomization}${node?.range ? `:${lineOf(text, node.range[0])}` : ''}`))
  }
  const inline: InlineImage[] = []
  for (const key of ['resources', 'patchesStrategicMerge', 'patches', 'patchesJson6902']) {
    const list = root.get(key, true)
    if (list === undefined || list === null) continue
    if (!isSeq(list))
      throw new UserError(`${kustomization}: '${key}' must be a list`, {
        file: kustomization,
        line: lineOf(text, (list as Node).range?.[0] ?? 0)
      })
    for (const item of list.items) {
      if (isScalar(item)) {
        if (key === 'patchesStrategicMerge' && typeof item.value === 'string' && item.value.includes('\n'))
          inline.push(...inlineImages(text, kustomization, item))
        else addReference(item.value, item)
      } else if (isMap(item)) {
        const path = pairOf(item, 'path')?.value
        if (isScalar(path)) addReference(path.value, path)
        const patch = pairOf(item, 'patch')?.value
        if (key !== 'resources' && isScalar(patch)) inline.push(...inlineImages(text, kustomization, patch))
      }
    }
  }
  const yaml = await yamlFilesUnder(reader, overlay, 0)
  return {
    kustomization,
    referenced: [...referenced].filter((p) => yaml.includes(p)),
    yaml: yaml.filter((p) => p !== kustomization),
    inline: inline.sort((a, b) => a.line - b.line)
  }
}

/**
 * Container images an inline patch sets. bump-overlay does not edit inside a patch held in a YAML
 * string (a `|-` block): like Flux's image automation it edits YAML values, and the patch text is
 * one opaque value to YAML. Knowing where the patch pins an image lets the render check point at
 * that line when the pin wins over the edit. A patch that does not parse is kustomize's to report.
 */
function inlineImages(text: string, file: string, patch: Scalar): InlineImage[] {
  if (typeof patch.value !== 'string' || !patch.range) return []
  const patchLine = lineOf(text, patch.range[0])
  let documents
  try {
    documents = parseYamlStream(patch.value, `${file}:${patchLine} (inline patch)`)
  } catch {
    return []
  }
  const found: InlineImage[] = []
  for (const source of documents) {
    for (const scalar of literalImageScalars(source.document)) {
      const image = String(scalar.value)
      let name
      try {
        const reference = parseImageReference(image)
        name = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository
      } catch {
        continue
      }
      // A literal block keeps the patch's lines one for one below its `|` header.
      const line = patch.type === Scalar.BLOCK_LITERAL ? patchLine + lineOf(patch.value, scalar.range![0]) : patchLine
      found.push({ file, line, image, name })
    }
  }
  return found
}

async function yamlFilesUnder(reader: RepoReader, dir: string, depth: number): Promise<string[]> {
  const entries = (await reader.list(dir)) ?? []
  if (depth > 0 && entries.some((e) => KUSTOMIZATION_FILES.includes(e.name))) return [] // another kustomization: not this overlay's
  const files: string[] = []
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`
    if (entry.type === 'file' && /\.ya?ml$/.test(entry.name)) files.push(path)
    else if (entry.type === 'dir' && depth < 4 && !entry.name.startsWith('.'))
      files.push(...(await yamlFilesUnder(reader, path, depth + 1)))
  }
  return files
}

async function readWorking(reader: RepoReader, path: string, working: Map<string, WorkingFile>): Promise<string> {
  const existing = working.get(path)
  if (existing) return existing.text
  const text = await reader.read(path)
  if (text === undefined) throw new UserError(`${path} could not be read`, { file: path })
  working.set(path, { before: text, text })
  return text
}

/** Applies splices to a working file in the file's own style: its line breaks, its final-newline state. */
function update(working: Map<string, WorkingFile>, path: string, splices: Splice[]): void {
  if (splices.length === 0) return
  const file = working.get(path)!
  file.text = keepFinalNewline(file.before, applySplices(file.text, withLineBreak(splices, lineBreakOf(file.before))))
}

async function planOverlayImage(
  reader: RepoReader,
  overlay: string,
  files: OverlayFiles,
  change: ImageChange,
  working: Map<string, WorkingFile>,
  changes: ImageEdit[],
  addMissing: boolean
): Promise<Omit<ImageTarget, 'environment' | 'app'>> {
  const record = (file: string, text: string, pos: number, kind: ImageEditKind, field: string, before: string, after: string) => {
    if (before !== after) changes.push({ overlay, file, line: lineOf(text, pos), image: change.image, kind, field, before, after })
  }
  const target: Omit<ImageTarget, 'environment' | 'app'> = {
    overlay,
    image: change.image,
    tag: change.tag,
    digest: change.digest,
    newName: change.newName,
    previousTag: undefined,
    previousDigest: undefined,
    previousName: undefined,
    names: [change.image],
    added: false,
    changed: false,
    inlinePatches: []
  }
  const before = changes.length
  const names = new ImageNameSet([change.image])
  if (change.newName) names.add(change.newName)

  // 1. images[] entries of the kustomization.
  const kText = working.get(files.kustomization)!.text
  const kRoot = parseYamlFile(kText, files.kustomization).document.contents as YAMLMap
  const images = kRoot.get('images', true) as Node | undefined
  if (images !== undefined && images !== null && !isSeq(images) && !(isScalar(images) && images.value === null)) {
    throw new UserError(`${files.kustomization}: 'images' must be a list`, {
      file: files.kustomization,
      line: lineOf(kText, images.range?.[0] ?? 0)
    })
  }
  const entries = (isSeq(images) ? images.items : []).filter((item): item is YAMLMap => {
    if (!isMap(item)) return false
    const [name, newName] = [stringAt(item, 'name'), stringAt(item, 'newName')]
    return (name !== undefined && sameImageName(name, change.image)) || (newName !== undefined && sameImageName(newName, change.image))
  })
  const splices: Splice[] = []
  for (const entry of entries) {
    const entryName = stringAt(entry, 'name')!
    names.add(entryName)
    const oldName = stringAt(entry, 'newName')
    if (oldName) names.add(oldName)
    target.previousTag ??= stringAt(entry, 'newTag')
    target.previousDigest ??= stringAt(entry, 'digest')
    target.previousName ??= oldName ?? entryName
    const file = files.kustomization
    const set = (key: string, value: string, style: Scalar.Type) => {
      const current = pairOf(entry, key)?.value
      // Already the value, and a string for go-yaml too (a plain 1.10 is a float: it gets quoted).
      if (isScalar(current) && typeof current.value === 'string' && current.value === value) return
      const splice = setMapValue(kText, entry, key, value, file, style)
      splices.push(splice)
      record(file, kText, current?.range?.[0] ?? splice.start, 'images', key, stringAt(entry, key) ?? '', value)
    }
    const drop = (key: string) => {
      const splice = deleteMapKey(kText, entry, key, file)
      if (splice) {
        splices.push(splice)
        record(file, kText, pairOf(entry, key)!.key.range![0], 'images', key, stringAt(entry, key) ?? '', '')
      }
    }
    if (change.newName !== undefined) set('newName', change.newName, Scalar.PLAIN)
    if (change.tag !== undefined) set('newTag', change.tag, Scalar.QUOTE_DOUBLE)
    else drop('newTag')
    if (change.digest !== undefined) set('digest', change.digest, Scalar.PLAIN)
    else drop('digest')
  }
  update(working, files.kustomization, splices)

  // 2. Literal container image references in the overlay's patch and resource files.
  let literals = 0
  for (const file of files.referenced) {
    const text = await readWorking(reader, file, working)
    const fileSplices: Splice[] = []
    for (const source of parseYamlStream(text, file)) {
      for (const scalar of literalImageScalars(source.document)) {
        const value = String(scalar.value)
        let reference
        try {
          reference = parseImageReference(value)
        } catch {
          continue
        }
        const name = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository
        if (!names.has(name)) continue
        literals++
        target.previousTag ??= reference.tag
        target.previousDigest ??= reference.digest
        target.previousName ??= name
        names.add(name)
        const next = imageReferenceText(change.newName ?? name, change.tag, change.digest)
        if (next !== value) {
          fileSplices.push(replaceScalar(scalar, next))
          record(file, text, scalar.range![0], 'patch', 'image', value, next)
        }
      }
    }
    update(working, file, fileSplices)
  }

  // 3. Flux setter markers anywhere in the overlay's YAML.
  const setterCount = await planSetters(reader, files, change, names, working, target, record)

  // Inline patches are not edited; recorded so that the render check can point at them.
  target.inlinePatches = files.inline.filter((i) => names.has(i.name)).map(({ file, line, image }) => ({ file, line, image }))

  // 4. No reference at all: add an images entry (verification proves the render uses the image).
  if (entries.length === 0 && literals === 0 && setterCount === 0) {
    if (!addMissing) {
      throw new UserError(`Overlay '${overlay}' has no reference to image '${change.image}' (no images entry, patch or setter marker)`, {
        file: files.kustomization
      })
    }
    const text = working.get(files.kustomization)!.text
    const root = parseYamlFile(text, files.kustomization).document.contents as YAMLMap
    const fields: Array<[string, string, Scalar.Type]> = [['name', change.image, Scalar.PLAIN]]
    if (change.newName) fields.push(['newName', change.newName, Scalar.PLAIN])
    if (change.tag !== undefined) fields.push(['newTag', change.tag, Scalar.QUOTE_DOUBLE])
    if (change.digest !== undefined) fields.push(['digest', change.digest, Scalar.PLAIN])
    const list = root.get('images', true)
    let splice: Splice
    if (isSeq(list) && list.items.length > 0) {
      splice = appendSeqItem(text, list as YAMLSeq, fields, files.kustomization)
    } else {
      const pair = pairOf(root, 'images')
      const indent = sequenceIndent(text, root)
      if (pair) {
        // `images:` or `images: []` with nothing in it: replace that line.
        const start = pair.key.range![0]
        const end = (pair.value as Node | null)?.range?.[2] ?? (pair.key as Node).range![2]
        splice = { start, end, text: `images:\n${blockItem(fields, indent, indent + 2)}` }
      } else {
        const prefix = text === '' || text.endsWith('\n') ? '' : '\n'
        splice = {
          start: text.length,
          end: text.length,
          text: `${prefix}${text.trim() === '' ? '' : '\n'}images:\n${blockItem(fields, indent, indent + 2)}`
        }
      }
    }
    record(
      files.kustomization,
      text,
      splice.start,
      'images',
      'images[]',
      '',
      imageReferenceText(change.newName ?? change.image, change.tag, change.digest)
    )
    update(working, files.kustomization, [splice])
    target.added = true
  }

  target.names = [...names]
  target.changed = changes.length > before
  return target
}

/** Scalars holding a container image: `image:` of a containers item, or a JSON 6902 op's value for `/image`. */
function literalImageScalars(document: Document.Parsed): Scalar[] {
  const found: Scalar[] = []
  visit(document, {
    Map(_key, map, path) {
      const parent = path[path.length - 1]
      const pair = path[path.length - 2]
      const inContainerList = isSeq(parent) && isPair(pair) && isScalar(pair.key) && CONTAINER_LISTS.has(String(pair.key.value))
      if (inContainerList) {
        const image = pairOf(map, 'image')?.value
        if (isScalar(image) && typeof image.value === 'string' && image.range) found.push(image)
      }
      const op = stringAt(map, 'op')
      const opPath = stringAt(map, 'path')
      if (op && (op === 'replace' || op === 'add') && opPath?.endsWith('/image')) {
        const value = pairOf(map, 'value')?.value
        if (isScalar(value) && typeof value.value === 'string' && value.range) found.push(value)
      }
    }
  })
  return found
}

interface SetterMarker {
  file: string
  scalar: Scalar
  /** The value as the user means it: a plain `1.10` beside a :tag marker is the tag "1.10", not the number 1.1. */
  value: string
  policy: string
  field: 'full' | 'tag' | 'name' | 'digest'
  /** The `name` / `newName` / `repository` beside a tag marker in the same map. */
  sibling: string[]
}

async function planSetters(
  reader: RepoReader,
  files: OverlayFiles,
  change: ImageChange,
  names: ImageNameSet,
  working: Map<string, WorkingFile>,
  target: Omit<ImageTarget, 'environment' | 'app'>,
  record: (file: string, text: string, pos: number, kind: ImageEditKind, field: string, before: string, after: string) => void
): Promise<number> {
  const markers: SetterMarker[] = []
  for (const file of [files.kustomization, ...files.yaml]) {
    const text = await readWorking(reader, file, working)
    if (!text.includes('$imagepolicy')) continue
    for (const source of parseYamlStream(text, file)) {
      visit(source.document, {
        Map(_key, map) {
          for (const pair of map.items) {
            const scalar = pair.value
            const key = pair.key as Node | null
            if (!isScalar(scalar) || !scalar.range) {
              // A marker after `key:` whose value is a map or a list below it: nothing to set there.
              const keyEnd = key?.range?.[1]
              const match = keyEnd === undefined ? null : SETTER.exec(restOfLine(text, keyEnd))
              if (match && keyEnd !== undefined && /^\s*:\s*$/.test(restOfLine(text, keyEnd).slice(0, match.index))) {
                throw misplacedSetter(
                  file,
                  text,
                  keyEnd,
                  match[0],
                  `'${String((key as Scalar).value)}:', whose value is a ${isSeq(scalar) ? 'list' : 'map'}`
                )
              }
              continue
            }
            const rest = restOfLine(text, scalar.range[1])
            const match = SETTER.exec(rest)
            if (!match || rest.slice(0, match.index).trim() !== '') continue
            const parts = match[1]!.split(':')
            const field = parts.length >= 3 ? parts[2] : 'full'
            if (field !== 'full' && field !== 'tag' && field !== 'name' && field !== 'digest') continue
            const written = text.slice(scalar.range[0], scalar.range[1])
            const problem = setterValueProblem(scalar, written, field)
            if (problem) {
              const shown = `'${isScalar(key) ? `${String(key.value)}: ` : ''}${written}'`
              throw misplacedSetter(file, text, scalar.range[1], match[0], `${shown}, ${problem}`)
            }
            const sibling = ['name', 'newName', 'repository', 'image']
              .map((k) => stringAt(map, k))
              .filter((v): v is string => v !== undefined)
            const value = typeof scalar.value === 'string' ? scalar.value : written
            markers.push({ file, scalar, value, policy: parts.slice(0, 2).join(':'), field, sibling })
          }
        }
      })
    }
  }
  if (markers.length === 0) return 0
  const nameOf = (value: string) => {
    try {
      const r = parseImageReference(value)
      return r.registry ? `${r.registry}/${r.repository}` : r.repository
    } catch {
      return undefined
    }
  }
  const ours = new Set<string>()
  for (const marker of markers) {
    const value = marker.value
    const mine =
      (marker.field === 'full' && names.has(nameOf(value) ?? '')) ||
      (marker.field === 'name' && names.has(value)) ||
      ((marker.field === 'tag' || marker.field === 'digest') && marker.sibling.some((s) => names.has(s) || names.has(nameOf(s) ?? '')))
    if (mine) ours.add(marker.policy)
  }
  const byFile = new Map<string, Splice[]>()
  let count = 0
  for (const marker of markers.filter((m) => ours.has(m.policy))) {
    count++
    const text = working.get(marker.file)!.text
    const value = marker.value
    let next: string | undefined
    if (marker.field === 'full') {
      const name = nameOf(value) ?? value
      const reference = parseImageReference(value)
      target.previousTag ??= reference.tag
      target.previousDigest ??= reference.digest
      target.previousName ??= name
      names.add(name)
      next = imageReferenceText(change.newName ?? name, change.tag, change.digest)
    } else if (marker.field === 'tag') {
      target.previousTag ??= value
      next = change.tag
    } else if (marker.field === 'digest') {
      target.previousDigest ??= value
      next = change.digest
    } else {
      target.previousName ??= value
      names.add(value)
      next = change.newName
    }
    if (next === undefined || next === value) continue
    const splices = byFile.get(marker.file) ?? []
    splices.push(replaceScalar(marker.scalar, next))
    byFile.set(marker.file, splices)
    record(
      marker.file,
      text,
      marker.scalar.range![0],
      'setter',
      marker.policy + (marker.field === 'full' ? '' : `:${marker.field}`),
      value,
      next
    )
  }
  for (const [file, splices] of byFile) update(working, file, dedupe(splices))
  return count
}

function restOfLine(text: string, pos: number): string {
  const end = text.indexOf('\n', pos)
  return text.slice(pos, end < 0 ? text.length : end).replace(/\r$/, '')
}

const SETTER_FIELD_TEXT = {
  full: 'an image reference (name:tag or name@digest)',
  tag: 'an image tag',
  name: 'an image name',
  digest: 'an image digest'
} as const

/**
 * Why a setter marker's value cannot be what its field says, or undefined when it can. The value
 * must be a string: a marker beside `replicas: 3` or `enabled: true` was put on the wrong line,
 * and following it would write an image reference into that field (Flux's automation would too).
 */
function setterValueProblem(scalar: Scalar, written: string, field: 'full' | 'tag' | 'name' | 'digest'): string | undefined {
  const what = `which is not ${SETTER_FIELD_TEXT[field]}`
  const value = scalar.value
  // A plain 1.10 beside a :tag marker is the tag "1.10" to the user (it is written back quoted).
  const text = typeof value === 'string' ? value : field === 'tag' && typeof value === 'number' ? written : undefined
  if (text === undefined || text === '') return value === null || text === '' ? `${what}: the value is empty` : what
  let problem: string | undefined
  if (field === 'full') {
    try {
      parseImageReference(text)
    } catch (error) {
      problem = (error as Error).message
    }
  } else if (field === 'tag') problem = tagProblem(text)
  else if (field === 'name') problem = imageNameProblem(text)
  else if (!DIGEST.test(text)) problem = 'expected e.g. sha256:<64 hex digits>'
  return problem === undefined ? undefined : `${what}: ${problem}`
}

function misplacedSetter(file: string, text: string, pos: number, marker: string, beside: string): UserError {
  const line = lineOf(text, pos)
  return new UserError(
    `${file}:${line}: the Flux image setter marker ${marker.replace(/^#\s*/, '')} is beside ${beside}. ` +
      'A marker ending in the policy name sets a whole image reference (image: ghcr.io/org/app:v1.2.3 # {"$imagepolicy": "ns:policy"}); ' +
      'one ending in :tag, :name or :digest sets that part. Move the marker to the line it is meant for, or remove it; nothing was changed',
    { file, line }
  )
}

function dedupe(splices: Splice[]): Splice[] {
  const seen = new Set<string>()
  return splices.filter((s) => {
    const key = `${s.start}:${s.end}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** The environment config for a name, if gitops.yaml has it (no error: the layout may name unconfigured envs). */
export function findEnvironment(config: GitopsConfig, name: string | undefined): EnvironmentConfig | undefined {
  return name === undefined ? undefined : config.environments.find((e) => e.name === name)
}
