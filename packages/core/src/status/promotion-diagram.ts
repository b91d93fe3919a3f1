import type { AppEnvironmentStatus, AppStatus, EnvironmentStatus, PromotionState } from './environment-status.js'

/** The promotion step a pull request or job is about: its app, and the environments it moves between. */
export interface PromotionHighlight {
  app: string
  from: string
  to: string
}

export interface DiagramOptions {
  /** The step to highlight (thick arrow, both environments marked). */
  highlight?: PromotionHighlight | undefined
  /** Only these apps (default: every app of the status). */
  apps?: readonly string[] | undefined
}

const EDGE_TEXT: Record<PromotionState, string> = {
  'in-sync': 'in sync',
  behind: 'behind',
  ahead: 'ahead',
  differs: 'differs',
  unknown: '?'
}

const CLASS_DEFS = [
  'classDef promoting fill:#fff3b0,stroke:#b8860b,stroke-width:3px,color:#000',
  'classDef lagging fill:#fde2e1,stroke:#c0392b,color:#000',
  'classDef missing fill:#eeeeee,stroke:#999999,stroke-dasharray:4 3,color:#666666'
]

/**
 * The promotion chain as a Mermaid flowchart (GitHub renders ```mermaid blocks): one node per
 * environment with the tag it runs, arrows in promotion order labelled with how the next
 * environment stands, the highlighted step drawn thick. One subgraph per app when there are several.
 */
export function renderPromotionDiagram(status: EnvironmentStatus, options: DiagramOptions = {}): string {
  const apps = status.apps.filter((a) => !options.apps || options.apps.includes(a.app))
  const lines = ['flowchart LR']
  const classes = new Map<string, string[]>()
  const edgeStyles: string[] = []
  let edge = 0
  const several = apps.length > 1
  apps.forEach((app, a) => {
    const indent = several ? '    ' : '  '
    if (several) lines.push(`  subgraph app${a}["${text(app.app)}"]`, '    direction LR')
    app.environments.forEach((cell, e) => {
      lines.push(`${indent}${nodeId(a, e)}["${nodeLabel(cell)}"]`)
      if (!cell.present) addClass(classes, 'missing', nodeId(a, e))
    })
    app.steps.forEach((step, s) => {
      const highlighted = isHighlighted(app, step.from, step.to, options.highlight)
      const arrow = highlighted ? '==>' : '-->'
      const label = highlighted ? `promoting · ${EDGE_TEXT[step.state]}` : EDGE_TEXT[step.state]
      lines.push(`${indent}${nodeId(a, s)} ${arrow}|"${text(label)}"| ${nodeId(a, s + 1)}`)
      if (highlighted) {
        addClass(classes, 'promoting', nodeId(a, s), nodeId(a, s + 1))
        edgeStyles.push(`  linkStyle ${edge} stroke:#b8860b,stroke-width:4px`)
      } else if (step.state === 'behind' && app.environments[s + 1]!.present) {
        addClass(classes, 'lagging', nodeId(a, s + 1))
      }
      edge++
    })
    if (several) lines.push('  end')
  })
  if (apps.length === 0) lines.push('  none["no apps found"]')
  lines.push(...CLASS_DEFS.map((d) => `  ${d}`))
  // A node being promoted keeps the promoting look whatever else it is.
  const promoting = new Set(classes.get('promoting') ?? [])
  for (const [name, ids] of classes) {
    const members = [...new Set(ids)].filter((id) => name === 'promoting' || !promoting.has(id))
    if (members.length > 0) lines.push(`  class ${members.join(',')} ${name}`)
  }
  lines.push(...edgeStyles)
  return lines.join('\n')
}

/** The diagram as a fenced block for markdown. */
export function mermaidBlock(diagram: string): string {
  return '```mermaid\n' + diagram + '\n```'
}

function isHighlighted(app: AppStatus, from: string, to: string, highlight: PromotionHighlight | undefined): boolean {
  return !!highlight && highlight.app === app.app && highlight.from === from && highlight.to === to
}

// Node ids by position: app and environment names may hold characters Mermaid reads as syntax.
function nodeId(app: number, environment: number): string {
  return `a${app}e${environment}`
}

function addClass(classes: Map<string, string[]>, name: string, ...ids: string[]): void {
  classes.set(name, [...(classes.get(name) ?? []), ...ids])
}

function nodeLabel(cell: AppEnvironmentStatus): string {
  if (!cell.present) return `${text(cell.environment)}<br/>no overlay`
  const tags = cell.images.map((i) => i.tag ?? (i.digest ? i.digest.slice(0, 19) : 'no tag'))
  return `<b>${text(cell.environment)}</b><br/>${tags.map(text).join('<br/>') || 'no image set'}`
}

/** Text inside a quoted Mermaid label: quotes and markup characters as entity codes. */
function text(value: string): string {
  return value.replace(/[#"<>&]/g, (c) => `#${c.charCodeAt(0)};`)
}
