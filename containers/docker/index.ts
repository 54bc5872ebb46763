// The container:ARCH engines (issue 6): testcontainers runs the static probe
// in an image built FROM scratch. Needs a Docker engine (npm run
// setup:docker) and the static probe (node native/build.mjs).
export {
  containerArchRefusal, containerEngine, dockerAvailability, ensureProbeImage, removeImages, runBoth,
  type ContainerArch, type ContainerBothResult, type ContainerEngine, type ContainerEngineOptions, type ContainerJob, type ContainerRunStats,
  type DockerSeccomp,
} from './engine.js';
export { closeDriver } from './sync.js';
