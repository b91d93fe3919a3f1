import { bumpOverlay } from '@gitops-actions/operations'
import {
  EXIT,
  UsageError,
  appEnvironmentOptions,
  appEnvironmentValues,
  listOption,
  repoDirectory,
  stringOption,
  type Command
} from '../command.js'
import { paint, paintDiff, plural } from '../terminal.js'

export const bumpCommand: Command = {
  name: 'bump',
  summary: "Set an image's tag or digest in an overlay, as bump-overlay does: render-checked, comments kept, all files or none.",
  usage: 'bump --app <app> --environment <env> --image <name> --tag <tag> [--digest sha256:…] [--dry-run] [dir]',
  options: {
    ...appEnvironmentOptions({
      description: "Environment of the overlay (dev, staging, prod…); with --app finds it through gitops.yaml's layout."
    }),
    overlay: { type: 'string', multiple: true, description: 'Overlay directory instead of --app/--environment; repeat for several.' },
    image: { type: 'string', description: "The image as the kustomization's images[].name writes it, or its registry path." },
    tag: { type: 'string', description: 'The new tag.' },
    digest: { type: 'string', description: 'The new digest (sha256:…); with --tag both are kept.' },
    'dry-run': { type: 'boolean', description: 'Plan and render-check the change, print the diff, write nothing.', default: false }
  },
  parameterNames: { overlays: '--overlay', 'working-directory': 'the directory argument' },
  async run({ values, positionals }, terminal) {
    const { app, environment } = appEnvironmentValues(values)
    const overlays = listOption(values, 'overlay')
    const image = stringOption(values, 'image')
    const tag = stringOption(values, 'tag')
    const digest = stringOption(values, 'digest')
    if (overlays.length === 0 && (!app || !environment)) throw new UsageError('give --app and --environment, or --overlay')
    if (!image) throw new UsageError('--image is required')
    if (tag === undefined && digest === undefined) throw new UsageError('give --tag, --digest or both')
    const root = repoDirectory(terminal, positionals)
    const dryRun = values['dry-run'] === true
    const result = await bumpOverlay({
      root,
      overlays,
      app,
      environment,
      changes: [{ image, tag, digest, source: { parameter: tag !== undefined ? 'tag' : 'digest' } }],
      dryRun
    })
    if (values.json) {
      terminal.out(JSON.stringify(result, null, 2))
      return EXIT.ok
    }
    if (!result.changed) {
      terminal.out(paint(terminal, 'green', `Every overlay already runs ${image} ${tag ?? digest}: nothing to change.`))
      return EXIT.ok
    }
    terminal.out(paintDiff(terminal, result.diff).trimEnd())
    const where = `${plural(result.files.length, 'file')} in ${plural(result.overlays.length, 'overlay')}`
    terminal.out(dryRun ? `Would change ${where} (dry run: nothing written).` : `Changed ${where}.`)
    return EXIT.ok
  }
}
