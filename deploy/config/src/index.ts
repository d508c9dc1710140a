export { environmentNames, loadEnvironment, type Environment, type LoadBalancerSettings, type TargetGroupSettings } from './environment';
export { BOOTSTRAP_DOCUMENT_ROOT, BOOTSTRAP_IMAGE, bootstrapRevision } from './bootstrap';
export { APPLICATION_PREFIX, namePrefix, type ResourceNames } from './names';
export { renderPolicy, type PolicyDocument, type PolicyFile, type PolicyStatement } from './iam';
export { IMAGE_BUILDS, imageRepositories, imageRepository, imagesOf, splitImage } from './images';
export { DEPLOY_DIR, displayPath, ENVIRONMENTS_DIR, IAM_DIR, TASK_DEFINITIONS_DIR } from './paths';
export { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS, renderTaskDefinitions, type RenderedTaskDefinition } from './render';
export { ECS_HEALTH_CHECK_DEFAULTS } from './task-definition-schema';
export { jsonPath, parseWith, readJsonFile } from './validation';
