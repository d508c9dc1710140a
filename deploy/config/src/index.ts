export {
  environmentNames,
  loadEnvironment,
  type AlarmSettings,
  type AutoScalingSettings,
  type Environment,
  type ListenerSettings,
  type LoadBalancerSettings,
  type ServiceSettings,
  type TargetGroupSettings,
} from './environment';
export { ConfigError } from './errors';
export { imageRepositories, renderPolicy, type PolicyDocument, type PolicyFile, type PolicyStatement } from './iam';
export { IMAGE_BUILDS, imageRepository } from './images';
export { DEPLOY_DIR, displayPath, ENVIRONMENTS_DIR, IAM_DIR, REPO_ROOT, TASK_DEFINITIONS_DIR } from './paths';
export { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, renderTaskDefinitions, type RenderedTaskDefinition } from './render';
export { jsonPath, parseWith, readJsonFile } from './validation';
