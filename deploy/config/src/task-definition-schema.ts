import {
  ApplicationProtocol,
  Compatibility,
  ContainerCondition,
  CPUArchitecture,
  EnvironmentFileType,
  FirelensConfigurationType,
  IpcMode,
  LogDriver,
  NetworkMode,
  OSFamily,
  PidMode,
  ResourceType,
  Scope,
  TaskDefinitionPlacementConstraintType,
  TransportProtocol,
  UlimitName,
  VersionConsistency,
  type ContainerDefinition,
  type ContainerDependency,
  type HealthCheck,
  type KeyValuePair,
  type LinuxParameters,
  type LogConfiguration,
  type MountPoint,
  type PortMapping,
  type RegisterTaskDefinitionCommandInput,
  type Secret,
  type Volume,
} from '@aws-sdk/client-ecs';
import { z } from 'zod';

/*
 * @aws-sdk/client-ecs ships types but no runtime schema, so this is the
 * RegisterTaskDefinition input as zod: strict objects (an unknown key is an
 * error), the SDK's own enum values, and `satisfies Shape<SdkType>` so the
 * compiler rejects a key the SDK does not have or a field typed differently.
 * It covers what these files and realistic EC2/Fargate task definitions use;
 * a field left out here is refused until it is added (with its SDK type check).
 */
type Shape<T> = { [K in keyof T]?: z.ZodType<T[K]> };

const text = z.string().min(1);
const strings = z.array(text);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.int().min(min).max(max);
const stringMap = z.record(z.string(), z.string());

const secret = z.strictObject({ name: text, valueFrom: text } satisfies Shape<Secret>);

const keyValuePair = z.strictObject({ name: text, value: z.string() } satisfies Shape<KeyValuePair>);

const portMapping = z.strictObject({
  containerPort: int(1, 65535).optional(),
  hostPort: int(0, 65535).optional(),
  protocol: z.enum(TransportProtocol).optional(),
  name: text.optional(),
  appProtocol: z.enum(ApplicationProtocol).optional(),
  containerPortRange: text.optional(),
} satisfies Shape<PortMapping>);

/**
 * The health-check timings ECS applies, and answers on describe, when a
 * definition leaves them out: what deploy:ecs diffs against and what
 * ecs:local gives the local engine.
 */
export const ECS_HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 } as const satisfies Required<
  Omit<HealthCheck, 'command'>
>;

const healthCheck = z.strictObject({
  command: z
    .array(z.string())
    .min(2)
    .refine((command) => ['CMD', 'CMD-SHELL', 'NONE'].includes(command[0] ?? ''), 'must start with "CMD", "CMD-SHELL" or "NONE"'),
  interval: int(5, 300).optional(),
  timeout: int(2, 60).optional(),
  retries: int(1, 10).optional(),
  startPeriod: int(0, 300).optional(),
} satisfies Shape<HealthCheck>);

const logConfiguration = z.strictObject({
  logDriver: z.enum(LogDriver),
  options: stringMap.optional(),
  secretOptions: z.array(secret).optional(),
} satisfies Shape<LogConfiguration>);

const dependency = z.strictObject({ containerName: text, condition: z.enum(ContainerCondition) } satisfies Shape<ContainerDependency>);

const mountPoint = z.strictObject({
  sourceVolume: text.optional(),
  containerPath: text.optional(),
  readOnly: z.boolean().optional(),
} satisfies Shape<MountPoint>);

const linuxParameters = z.strictObject({
  capabilities: z.strictObject({ add: strings.optional(), drop: strings.optional() }).optional(),
  initProcessEnabled: z.boolean().optional(),
  sharedMemorySize: int(1).optional(),
  tmpfs: z.array(z.strictObject({ containerPath: text, size: int(1), mountOptions: strings.optional() })).optional(),
  maxSwap: int(0).optional(),
  swappiness: int(0, 100).optional(),
} satisfies Shape<LinuxParameters>);

const containerDefinition = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 letters, digits, hyphens or underscores'),
  image: text,
  repositoryCredentials: z.strictObject({ credentialsParameter: text }).optional(),
  cpu: int(0).optional(),
  memory: int(6).optional(),
  memoryReservation: int(6).optional(),
  links: strings.optional(),
  portMappings: z.array(portMapping).optional(),
  essential: z.boolean().optional(),
  restartPolicy: z
    .strictObject({ enabled: z.boolean(), ignoredExitCodes: z.array(z.int()).optional(), restartAttemptPeriod: int(60, 1800).optional() })
    .optional(),
  entryPoint: strings.optional(),
  command: z.array(z.string()).optional(),
  environment: z.array(keyValuePair).optional(),
  environmentFiles: z.array(z.strictObject({ value: text, type: z.enum(EnvironmentFileType) })).optional(),
  mountPoints: z.array(mountPoint).optional(),
  volumesFrom: z.array(z.strictObject({ sourceContainer: text.optional(), readOnly: z.boolean().optional() })).optional(),
  linuxParameters: linuxParameters.optional(),
  secrets: z.array(secret).optional(),
  dependsOn: z.array(dependency).optional(),
  startTimeout: int(2, 120).optional(),
  stopTimeout: int(2, 120).optional(),
  versionConsistency: z.enum(VersionConsistency).optional(),
  hostname: text.optional(),
  user: text.optional(),
  workingDirectory: text.optional(),
  disableNetworking: z.boolean().optional(),
  privileged: z.boolean().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  dnsServers: strings.optional(),
  dnsSearchDomains: strings.optional(),
  extraHosts: z.array(z.strictObject({ hostname: text, ipAddress: text })).optional(),
  dockerSecurityOptions: strings.optional(),
  interactive: z.boolean().optional(),
  pseudoTerminal: z.boolean().optional(),
  dockerLabels: stringMap.optional(),
  ulimits: z.array(z.strictObject({ name: z.enum(UlimitName), softLimit: z.int(), hardLimit: z.int() })).optional(),
  logConfiguration: logConfiguration.optional(),
  healthCheck: healthCheck.optional(),
  systemControls: z.array(z.strictObject({ namespace: text.optional(), value: text.optional() })).optional(),
  resourceRequirements: z.array(z.strictObject({ type: z.enum(ResourceType), value: text })).optional(),
  firelensConfiguration: z.strictObject({ type: z.enum(FirelensConfigurationType), options: stringMap.optional() }).optional(),
  credentialSpecs: strings.optional(),
} satisfies Shape<ContainerDefinition>);

const volume = z.strictObject({
  name: text,
  host: z.strictObject({ sourcePath: text.optional() }).optional(),
  dockerVolumeConfiguration: z
    .strictObject({
      scope: z.enum(Scope).optional(),
      autoprovision: z.boolean().optional(),
      driver: text.optional(),
      driverOpts: stringMap.optional(),
      labels: stringMap.optional(),
    })
    .optional(),
  configuredAtLaunch: z.boolean().optional(),
} satisfies Shape<Volume>);

export const registerTaskDefinitionInputSchema = z.strictObject({
  family: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 letters, digits, hyphens or underscores'),
  taskRoleArn: text.optional(),
  executionRoleArn: text.optional(),
  networkMode: z.enum(NetworkMode).optional(),
  containerDefinitions: z.array(containerDefinition).min(1),
  volumes: z.array(volume).optional(),
  placementConstraints: z
    .array(z.strictObject({ type: z.enum(TaskDefinitionPlacementConstraintType).optional(), expression: text.optional() }))
    .optional(),
  requiresCompatibilities: z.array(z.enum(Compatibility)).optional(),
  cpu: text.optional(),
  memory: text.optional(),
  tags: z.array(z.strictObject({ key: text, value: z.string() })).optional(),
  pidMode: z.enum(PidMode).optional(),
  ipcMode: z.enum(IpcMode).optional(),
  ephemeralStorage: z.strictObject({ sizeInGiB: int(21, 200) }).optional(),
  runtimePlatform: z
    .strictObject({ cpuArchitecture: z.enum(CPUArchitecture).optional(), operatingSystemFamily: z.enum(OSFamily).optional() })
    .optional(),
  enableFaultInjection: z.boolean().optional(),
} satisfies Shape<RegisterTaskDefinitionCommandInput>) satisfies z.ZodType<RegisterTaskDefinitionCommandInput>;
