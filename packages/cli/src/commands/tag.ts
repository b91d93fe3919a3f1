import { parseTemplateTable, PRESETS } from '@gitops-actions/core'
import { computeTag } from '@gitops-actions/operations'
import {
  UsageError,
  appEnvironmentOptions,
  appEnvironmentValues,
  choiceOption,
  repoDirectory,
  stringOption,
  type Command
} from '../command.js'
import { paint, textTable } from '../terminal.js'

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Compute the image tags of an app repository commit, as the compute-tag action does.',
  usage: 'tag --app <app> [--environment dev] [--image ghcr.io/org/app] [dir]',
  options: {
    ...appEnvironmentOptions({ description: 'Environment whose tag convention applies.', default: 'dev' }),
    image: { type: 'string', multiple: true, description: 'Image name without tag; repeat for several.' },
    'tag-template': { type: 'string', description: 'A template, or env=template lines.' },
    version: { type: 'string', description: 'Use this version instead of computing one.' },
    'release-tag-prefix': { type: 'string', description: 'Prefix of release tags.', default: 'v' },
    revision: { type: 'string', description: 'The commit to tag.', default: 'HEAD' },
    'sha-length': { type: 'string', description: 'Length of {sha}.', default: '7' },
    preset: { type: 'string', description: 'angular (default) or conventionalcommits: how commits are read for the version.' },
    'release-rules': { type: 'string', description: "commit-analyzer's releaseRules as YAML or JSON." }
  },
  async run({ values, positionals }, terminal) {
    const { app, environment = 'dev' } = appEnvironmentValues(values)
    if (!app) throw new UsageError('--app is required')
    const rawTemplate = stringOption(values, 'tag-template')
    const shaLength = Number(stringOption(values, 'sha-length', '7'))
    if (!Number.isInteger(shaLength) || shaLength < 4 || shaLength > 40)
      throw new UsageError('--sha-length must be a whole number from 4 to 40')
    const result = await computeTag({
      cwd: repoDirectory(terminal, positionals, 'the app repository checkout'),
      revision: stringOption(values, 'revision', 'HEAD')!,
      app,
      environment,
      images: (values.image as string[] | undefined) ?? [],
      templates:
        rawTemplate === undefined
          ? {}
          : rawTemplate.includes('=')
            ? parseTemplateTable(rawTemplate, 'tag-template')
            : { [environment]: rawTemplate },
      aliases: undefined,
      shaLength,
      timestampSource: 'commit',
      version: stringOption(values, 'version')?.replace(/^v/, ''),
      releaseTagPrefix: stringOption(values, 'release-tag-prefix', 'v')!,
      prerelease: '',
      initialVersion: '0.1.0',
      preset: stringOption(values, 'preset') === undefined ? undefined : choiceOption(values, 'preset', PRESETS, 'angular'),
      releaseRules: stringOption(values, 'release-rules'),
      paths: [],
      branch: undefined,
      pullRequest: undefined,
      runId: undefined,
      sourceUrl: undefined
    })
    if (values.json) {
      terminal.out(JSON.stringify(result, null, 2))
      return 0
    }
    terminal.out(`${paint(terminal, 'bold', result.tag)}  ${paint(terminal, 'dim', `(${result.app}, ${result.environment})`)}`)
    terminal.out(
      textTable(
        ['version', 'previous', 'bump', 'commit', 'timestamp'],
        [[result.version || '-', result.previousVersion || '-', result.bump, result.shortSha, result.timestamp]]
      )
    )
    const decided = result.bumpReasons[0]
    if (decided)
      terminal.out(paint(terminal, 'dim', `${result.bump}: ${decided.header} (${decided.sha.slice(0, 7)}, ${result.preset} preset)`))
    for (const reference of result.tags) terminal.out(`  ${reference}`)
    return 0
  }
}
