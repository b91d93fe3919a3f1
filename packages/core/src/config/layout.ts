import type { JSONSchemaType } from 'ajv'

/** Where apps and their overlays live in the config repo. `{app}` and `{env}` are replaced; an overlay layout names `{env}`, and `{app}` when there are apps. */
export interface LayoutConfig {
  overlay: string
  base: string
}

export const DEFAULT_LAYOUT: LayoutConfig = {
  overlay: 'apps/{app}/overlays/{env}',
  base: 'apps/{app}/base'
}

export const layoutSchema: JSONSchemaType<Partial<LayoutConfig>> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    // {app} is optional: a repository with one overlay per environment (`clusters/{env}`) has no app level.
    overlay: {
      type: 'string',
      nullable: true,
      pattern: '\\{env\\}',
      minLength: 1,
      description: 'a path with {env} in it (e.g. apps/{app}/overlays/{env})'
    },
    base: { type: 'string', nullable: true, minLength: 1 }
  }
}

/** The overlay directory of an app in an environment, relative to the repo root. */
export function overlayPath(layout: LayoutConfig, app: string, environment: string): string {
  return layout.overlay.replaceAll('{app}', app).replaceAll('{env}', environment)
}

/** The base directory of an app, relative to the repo root. */
export function basePath(layout: LayoutConfig, app: string): string {
  return layout.base.replaceAll('{app}', app)
}
