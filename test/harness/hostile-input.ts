/**
 * What a hostile pull request puts in a config repo (issue 20), shared by the tests that prove each
 * attack is refused.
 */

/** The 342-byte kind of alias bomb, nine levels of nine: kustomize expands it into gigabytes. */
export const ALIAS_BOMB = `apiVersion: v1
kind: ConfigMap
metadata: {name: bomb}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

/**
 * Bounds low enough that this machine survives the bomb even with our own checks out of the way
 * (1 GiB of address space: kubectl reaches about 370 MB resident and stops within 5 s).
 */
export const LOW_TOOL_BOUNDS = { GITOPS_ACTIONS_TOOL_MEMORY: '1G', GITOPS_ACTIONS_TOOL_TIMEOUT: '120' }

/** Lines the runner would act on if they reached the log raw (it trims leading whitespace before `::`). */
export const WORKFLOW_COMMAND_LINES = [
  '     ::error file=apps/x.yaml,line=1::injected annotation',
  '::set-output name=changed::injected',
  '  ::stop-commands::attacker',
  '##[error]legacy injected annotation',
  '::add-mask::hidden'
]

const RUNNER_COMMANDS = new Set([
  'error',
  'warning',
  'notice',
  'debug',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'set-env',
  'group',
  'endgroup',
  'echo',
  'add-matcher',
  'remove-matcher'
])

/**
 * The workflow commands GitHub's runner would act on in a step's log, as its ActionCommandManager
 * reads them: `::name …::` after trimming leading whitespace, `##[name …]` anywhere in a line, and
 * nothing but `::<token>::` between `::stop-commands::<token>` and that line.
 */
export function commandsTheRunnerRuns(log: string): Array<{ command: string; line: string }> {
  const acted: Array<{ command: string; line: string }> = []
  let stopToken: string | undefined
  for (const line of log.split(/\r?\n/)) {
    const v2 = /^::([^\s:]+)(?: [^:]*)?::(.*)$/.exec(line.trimStart())
    const v1 = /##\[([^\s\]]+)(?: [^\]]*)?\](.*)$/.exec(line)
    const match = v2 ?? v1
    if (!match) continue
    const command = match[1]!.toLowerCase()
    if (stopToken !== undefined) {
      if (command === stopToken.toLowerCase()) stopToken = undefined
      continue
    }
    if (command === 'stop-commands') {
      stopToken = match[2]
      continue
    }
    if (RUNNER_COMMANDS.has(command)) acted.push({ command, line })
  }
  return acted
}
