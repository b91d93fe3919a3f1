import {
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync
} from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import {
  containerImages,
  imageReferenceText,
  manifestsFromYaml,
  splitImageReference,
  UserError,
  type ContainerImage,
  type FileEdit,
  type ImageUpdatePlan,
  type InlinePatchImage,
  type KubeObject,
  type SourceLocation
} from '@gitops-actions/core'
import { renderRoots } from './batch-render.js'
import { render, RenderError, type RenderOptions } from './renderer.js'

/** What one overlay's render must show for one image after a change. */
export interface ImageExpectation {
  /** Overlay directory, as a repo path. */
  overlay: string
  /** The image as the request named it (for messages). */
  image: string
  /** Names a container of this image may carry in the render (images[].name, newName, literal names). */
  names: readonly string[]
  /** The tag every such container must run; undefined: no tag (digest only). */
  tag: string | undefined
  /** The digest every such container must run; undefined: no digest. */
  digest: string | undefined
  /** When set, the name every such container must run. */
  newName?: string | undefined
  /** The registry path the image had before, for messages. */
  previousName?: string | undefined
  /** Inline patches of the overlay's kustomization that set the image (not edited), to name when one wins. */
  inlinePatches?: readonly InlinePatchImage[] | undefined
}

/** The containers of one image in one overlay's render, and what is wrong with them. */
export interface ImageRenderCheck {
  overlay: string
  image: string
  expected: string
  containers: Array<ContainerImage & { ok: boolean }>
  problems: string[]
}

export interface VerifyOptions extends RenderOptions {
  /** Renders at a time (default: the number of CPUs). */
  concurrency?: number
  /** Receives each overlay's render with the change, for callers that show it (a promotion's rendered diff) instead of rendering again. */
  onRendered?: (overlay: string, yaml: string) => void
}

/** The expectations a plan's targets imply: every container of each image runs the new reference. */
export function expectationsOf(plan: ImageUpdatePlan): ImageExpectation[] {
  return plan.targets.map((t) => ({
    overlay: t.overlay,
    image: t.image,
    names: t.names,
    tag: t.tag,
    digest: t.digest,
    newName: t.newName,
    previousName: t.previousName,
    inlinePatches: t.inlinePatches
  }))
}

/**
 * Renders each overlay under `root` with real kustomize, as the files are now, and checks that
 * every container of each expected image runs the expected reference and that at least one does
 * (an image the overlay does not use is a typo). Throws one UserError listing the problems;
 * returns the checks when all pass.
 */
export async function verifyImageRendered(
  root: string,
  expectations: readonly ImageExpectation[],
  options: VerifyOptions = {}
): Promise<ImageRenderCheck[]> {
  const renders = await renderOverlays(root, [...new Set(expectations.map((e) => e.overlay))], options)

  const checks: ImageRenderCheck[] = []
  const failures: string[] = []
  let location: SourceLocation | undefined
  for (const expectation of expectations) {
    const output = renders.get(expectation.overlay)!
    const expected = imageReferenceText(
      expectation.newName ?? expectation.previousName ?? expectation.image,
      expectation.tag,
      expectation.digest
    )
    if (output instanceof RenderError) {
      location ??= output.location
      const message = kustomizeMessage(output.stderr).replaceAll(`${root}/`, '')
      failures.push(`kustomize cannot build ${expectation.overlay} with the change: ${message}`)
      checks.push({ overlay: expectation.overlay, image: expectation.image, expected, containers: [], problems: [message] })
      continue
    }
    const all = output.flatMap((object) => containerImages(object))
    const names = new Set(expectation.names)
    if (expectation.newName) names.add(expectation.newName)
    const containers = all
      .filter((c) => names.has(splitImageReference(c.image).name))
      .map((c) => {
        const actual = splitImageReference(c.image)
        const ok =
          actual.tag === expectation.tag &&
          actual.digest === expectation.digest &&
          (!expectation.newName || actual.name === expectation.newName)
        return { ...c, ok }
      })
    const problems: string[] = []
    if (containers.length === 0) {
      const running = [...new Set(all.map((c) => c.image))]
      problems.push(
        `image '${expectation.image}' is not used by ${expectation.overlay}: no container of its render runs it (containers run: ${running.join(', ') || 'nothing'}). Check the image name; use the name the kustomization's images[] uses or the full registry path the render shows`
      )
    }
    for (const c of containers.filter((c) => !c.ok)) {
      const want = imageReferenceText(expectation.newName ?? splitImageReference(c.image).name, expectation.tag, expectation.digest)
      const pin = expectation.inlinePatches?.find((p) => p.image === c.image)
      if (pin) {
        location ??= { file: pin.file, line: pin.line }
        problems.push(
          `${pin.file}:${pin.line}: an inline patch pins ${pin.image}, so ${c.object} container ${c.container} would run it, not ${want}. ` +
            'bump-overlay does not edit inside inline patches (a patch written as a YAML string), as Flux image automation does not. ' +
            "Move the patch into a file of the overlay listed under 'patches: - path: <file>.yaml' (bump-overlay edits the image there), " +
            "or remove the image from the patch and let the kustomization's images: entry set it"
        )
        continue
      }
      problems.push(
        `${expectation.overlay}: ${c.object} container ${c.container} would run ${c.image}, not ${want} (something bump-overlay does not edit sets it: an inline patch, a base, or a component)`
      )
    }
    failures.push(...problems)
    checks.push({ overlay: expectation.overlay, image: expectation.image, expected, containers, problems })
  }
  if (failures.length > 0) {
    const shown = failures.slice(0, 10)
    throw new UserError(
      `The change was not written: the render check failed.\n- ${shown.join('\n- ')}${failures.length > shown.length ? `\n- … and ${failures.length - shown.length} more` : ''}`,
      location
    )
  }
  return checks
}

/**
 * Each overlay's objects, or its RenderError. Many overlays are built in a few batched kustomize
 * calls (renderRoots, as validate-manifests builds its roots): one kustomize start-up costs about as
 * much as building an overlay, so 300 overlays cost a few starts, not 300. An overlay that fails
 * there, a lone overlay, and every overlay of a caller that wants each render's text are built on
 * their own, so a message is kustomize's own for that overlay.
 */
async function renderOverlays(
  root: string,
  overlays: readonly string[],
  options: VerifyOptions
): Promise<Map<string, KubeObject[] | RenderError>> {
  const renders = new Map<string, KubeObject[] | RenderError>()
  if (overlays.length > 1 && !options.onRendered) {
    // Paths from the repository root the closure check stops at, as render() checks them.
    const repoRoot = options.repoRoot ?? root
    const batched = await renderRoots(
      repoRoot,
      overlays.map((overlay) => ({ path: relative(repoRoot, join(root, overlay)).split(sep).join('/') })),
      { concurrency: options.concurrency, flags: options.flags, remoteHosts: options.remoteHosts }
    )
    for (const [index, result] of batched.entries())
      if (!result.error)
        renders.set(
          overlays[index]!,
          result.objects.map((o) => o.object as KubeObject)
        )
  }
  const queue = overlays.filter((overlay) => !renders.has(overlay))
  const workers = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), queue.length))
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let overlay = queue.shift(); overlay !== undefined; overlay = queue.shift()) {
        try {
          const yaml = await render(join(root, overlay), { ...options, repoRoot: options.repoRoot ?? root })
          options.onRendered?.(overlay, yaml)
          renders.set(
            overlay,
            manifestsFromYaml(yaml, `${overlay} (rendered)`).map((m) => m.object)
          )
        } catch (error) {
          if (!(error instanceof RenderError)) throw error
          renders.set(overlay, error)
        }
      }
    })
  )
  return renders
}

/**
 * Renders the plan's overlays as they will be once its edits are written, without touching the
 * checkout: the repo is mirrored into a temp dir with hard links (copies across file systems),
 * the edited files are written there, and verifyImageRendered() checks the result. Callers write
 * the edits (applyFileEdits) only when this returns.
 */
export async function verifyImageUpdate(repoRoot: string, plan: ImageUpdatePlan, options: VerifyOptions = {}): Promise<ImageRenderCheck[]> {
  const shadow = mkdtempSync(join(tmpdir(), 'bump-overlay-verify-'))
  try {
    mirrorTree(repoRoot, shadow)
    writeEdits(shadow, plan.edits)
    return await verifyImageRendered(shadow, expectationsOf(plan), { ...options, repoRoot: shadow })
  } finally {
    rmSync(shadow, { recursive: true, force: true })
  }
}

function mirrorTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === '.git') continue
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) {
      mkdirSync(target)
      mirrorTree(source, target)
    } else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(source), target)
    } else if (entry.isFile()) {
      try {
        linkSync(source, target)
      } catch {
        copyFileSync(source, target)
      }
    }
  }
}

function writeEdits(root: string, edits: readonly FileEdit[]): void {
  for (const edit of edits) {
    const path = join(root, edit.path)
    mkdirSync(dirname(path), { recursive: true })
    try {
      if (lstatSync(path)) unlinkSync(path) // a hard link: unlink, never write through to the checkout
    } catch {
      // not there yet
    }
    writeFileSync(path, edit.after)
  }
}

/** kustomize's own words: kubectl wraps them in a klog line (`E1125 … run.go:72] "command failed" err="…"`). */
export function kustomizeMessage(stderr: string): string {
  const text = stderr.trim()
  const klog = /err="((?:[^"\\]|\\.)*)"/.exec(text)
  const message = klog ? klog[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : text
  return message.replace(/^Error: /, '')
}
