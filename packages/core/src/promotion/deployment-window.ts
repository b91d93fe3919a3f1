import { WEEKDAYS, type DeploymentWindowConfig, type Weekday } from '../config/deployment-windows.js'

/** Whether an environment may be deployed to at a moment, and if not, when it may next. */
export interface WindowState {
  /** True when the environment has no window or one is open now. */
  open: boolean
  /** Whether gitops.yaml restricts this environment at all. */
  restricted: boolean
  /** The next moment a window opens (only when closed; undefined if none within 8 days). */
  nextOpen: Date | undefined
  /** Human-readable windows, e.g. `mon, tue 09:00-16:00 Europe/Berlin`. */
  windows: string[]
}

interface LocalTime {
  day: Weekday
  minutes: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function localTime(at: Date, timeZone: string): LocalTime {
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    formatters.set(timeZone, formatter)
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]))
  return { day: parts.weekday!.toLowerCase().slice(0, 3) as Weekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) }
}

function parseHours(hours: string): { start: number; end: number } {
  const [from, to] = hours.split('-') as [string, string]
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
  return { start: minutes(from), end: minutes(to) }
}

/** Whether one window is open at a moment (in the window's own time zone, daylight saving included). */
export function windowOpenAt(window: DeploymentWindowConfig, at: Date): boolean {
  const { day, minutes } = localTime(at, window.timeZone)
  const { start, end } = parseHours(window.hours)
  if (start < end) return window.days.includes(day) && minutes >= start && minutes < end
  // Wraps past midnight: open from `start` on a listed day until `end` on the day after.
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!
  return (window.days.includes(day) && minutes >= start) || (window.days.includes(yesterday) && minutes < end)
}

/** The state of an environment's deployment windows at `now`. */
export function deploymentWindowState(windows: readonly DeploymentWindowConfig[], environment: string, now: Date): WindowState {
  const mine = windows.filter((w) => w.environments.includes(environment))
  const described = mine.map((w) => `${w.days.length === 7 ? 'every day' : w.days.join(', ')} ${w.hours} ${w.timeZone}`)
  if (mine.length === 0) return { open: true, restricted: false, nextOpen: undefined, windows: [] }
  const openAt = (at: Date) => mine.some((w) => windowOpenAt(w, at))
  if (openAt(now)) return { open: true, restricted: true, nextOpen: undefined, windows: described }
  // Minute steps from the next whole minute; windows are given in minutes, 8 days covers a week.
  const step = 60_000
  let at = Math.ceil((now.getTime() + 1) / step) * step
  const limit = now.getTime() + 8 * 24 * 60 * step
  for (; at <= limit; at += step) {
    if (openAt(new Date(at))) return { open: false, restricted: true, nextOpen: new Date(at), windows: described }
  }
  return { open: false, restricted: true, nextOpen: undefined, windows: described }
}
