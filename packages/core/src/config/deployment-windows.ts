import type { JSONSchemaType } from 'ajv'

/**
 * When changes may reach an environment, from gitops.yaml's `deploymentWindows` section:
 *
 * ```yaml
 * deploymentWindows:
 *   - environments: [prod]
 *     timeZone: Europe/Berlin
 *     days: [mon, tue, wed, thu]
 *     hours: "09:00-16:00"
 * ```
 *
 * An environment with no window is always open; with several, any one open window is enough.
 * Hours may wrap past midnight (`22:00-02:00`); the day is the one the window starts on.
 */
export interface DeploymentWindowConfig {
  environments: string[]
  /** An IANA time zone name; UTC by default. */
  timeZone: string
  days: Weekday[]
  /** `HH:MM-HH:MM`, start inclusive, end exclusive. */
  hours: string
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export type DeploymentWindowInput = Omit<DeploymentWindowConfig, 'timeZone' | 'days' | 'hours'> & Partial<DeploymentWindowConfig>

export const HOURS_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$'

export const deploymentWindowsSchema: JSONSchemaType<DeploymentWindowInput[]> = {
  type: 'array',
  description: 'Deployment windows: outside them a promotion PR stays pending (commit status deployment-window).',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['environments'],
    properties: {
      environments: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      timeZone: { type: 'string', nullable: true, minLength: 1 },
      days: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', enum: [...WEEKDAYS] } },
      hours: {
        type: 'string',
        nullable: true,
        pattern: HOURS_PATTERN,
        description: 'a range of 24-hour times, HH:MM-HH:MM (e.g. 09:00-17:00)'
      }
    }
  }
}

/** Fills the defaults: UTC, every day, all day. */
export function completeDeploymentWindow(input: DeploymentWindowInput): DeploymentWindowConfig {
  return {
    environments: input.environments,
    timeZone: input.timeZone ?? 'UTC',
    days: input.days ?? [...WEEKDAYS],
    hours: input.hours ?? '00:00-24:00'
  }
}

/** Whether a time zone name is one this runtime knows (Intl's IANA database). */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
