export {
  containersOf,
  podSpecOf,
  POD_BEARING_KINDS,
  POD_SPEC_PATHS,
  type Container,
  type ContainerKind,
  type ContainerRef,
  type PodSpec
} from './pod-spec.js'
export * from './quantity.js'
export * from './resources.js'
