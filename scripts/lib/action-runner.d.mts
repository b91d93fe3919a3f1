export declare const repoRoot: string
export declare const node24: string

export interface ActionRunOptions {
  /** The directory of the action's action.yml (default actions/<name> of this repository), e.g. in a checkout of a release. */
  actionDir?: string
  /** Inputs by their action.yml names; action.yml defaults fill the rest, as the runner does. */
  inputs?: Record<string, string>
  /** Working directory and GITHUB_WORKSPACE. */
  workspace?: string
  eventName?: string
  /** Written to a file named by GITHUB_EVENT_PATH. */
  event?: unknown
  env?: Record<string, string>
  timeoutMs?: number
  /** Called with the started process (e.g. to send it the signal GitHub sends on cancel). */
  onStart?: (child: import('node:child_process').ChildProcess) => void
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

export interface ActionRun {
  exitCode: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  env: Record<string, string>
  state: Record<string, string>
  annotations: Annotation[]
  /** The `json` output parsed, when there is one. */
  json: any
}

export interface ActionMetadata {
  name: string
  description: string
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs?: Record<string, { description?: string }>
  runs: { using: string; main: string }
  branding?: { icon: string; color: string }
}

export declare function readActionMetadata(name: string, actionDir?: string): ActionMetadata
export declare function parseCommandFile(text: string): Record<string, string>
export declare function parseAnnotations(stdout: string): Annotation[]
export declare function runAction(name: string, options?: ActionRunOptions): Promise<ActionRun>
