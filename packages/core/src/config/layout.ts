import type { JSONSchemaType } from 'ajv'

/** Where apps and their overlays live in the config repo. `{app}` and `{env}` are replaced. */
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
    overlay: { type: 'string', nullable: true, pattern: '\\{app\\}', minLength: 1 },
    base: { type: 'string', nullable: true, minLength: 1 }
  }
}
