/**
 * Mermaid text checked by Mermaid itself: the `mermaid` package's own parser, the one GitHub's
 * renderer runs. It sanitises labels with DOMPurify, which needs a DOM, so a jsdom window is
 * installed first (on the test worker's globals only). A syntax error throws Mermaid's message.
 */
import { JSDOM } from 'jsdom'

type Mermaid = (typeof import('mermaid'))['default']

/** What the parser read from a flowchart: nodes, edges, subgraphs and class definitions. */
export interface ParsedFlowchart {
  diagramType: string
  direction: string
  vertices: Array<{ id: string; text: string; classes: string[] }>
  edges: Array<{ start: string; end: string; stroke: string; text: string; style: string[] }>
  subgraphs: Array<{ id: string; title: string; nodes: string[] }>
  classDefs: string[]
}

let loading: Promise<Mermaid> | undefined

function loadMermaid(): Promise<Mermaid> {
  loading ??= (async () => {
    const dom = new JSDOM('<!doctype html><html><body></body></html>')
    Object.assign(globalThis, { window: dom.window, document: dom.window.document })
    const { default: mermaid } = await import('mermaid')
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' })
    return mermaid
  })()
  return loading
}

/** Parses any Mermaid diagram; throws Mermaid's parse error. Returns the diagram type. */
export async function parseMermaid(text: string): Promise<string> {
  const mermaid = await loadMermaid()
  const result = await mermaid.parse(text)
  if (!result) throw new Error('mermaid.parse returned no result')
  return result.diagramType
}

/** Parses a flowchart and returns what Mermaid's flowchart database holds after reading it. */
export async function parseFlowchart(text: string): Promise<ParsedFlowchart> {
  const diagramType = await parseMermaid(text)
  const mermaid = await loadMermaid()
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text)
  // The flowchart database is not part of Mermaid's typed API; read it defensively.
  const db = diagram.db as unknown as {
    getDirection(): string
    getVertices(): Map<string, { id: string; text?: string; classes?: string[] }>
    getEdges(): Array<{ start: string; end: string; stroke?: string; text?: string; style?: string[] }>
    getSubGraphs(): Array<{ id: string; title: string; nodes: string[] }>
    getClasses(): Map<string, unknown>
  }
  return {
    diagramType,
    direction: db.getDirection(),
    vertices: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text ?? '', classes: [...(v.classes ?? [])] })),
    edges: db
      .getEdges()
      .map((e) => ({ start: e.start, end: e.end, stroke: e.stroke ?? '', text: e.text ?? '', style: [...(e.style ?? [])] })),
    subgraphs: db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: [...s.nodes] })),
    classDefs: [...db.getClasses().keys()]
  }
}

/** The bodies of the ```mermaid blocks of a markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!)
}
