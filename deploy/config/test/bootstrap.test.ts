import { BOOTSTRAP_IMAGE, bootstrapRevision } from '../src/bootstrap';
import { loadEnvironment } from '../src/environment';
import { renderTaskDefinitions, taskDefinitionProblems } from '../src/render';
import { registerTaskDefinitionInputSchema } from '../src/task-definition-schema';

describe.each(['staging', 'production'])('%s: the first revision of each family', (name) => {
  const environment = loadEnvironment(name);
  const definitions = renderTaskDefinitions(environment, { tag: 'infra', registry: environment.registry });

  it.each(definitions.map((definition) => [definition.family, definition] as const))(
    '%s passes the validation every task-definition file passes, the five defences included',
    (_family, definition) => {
      const revision = bootstrapRevision(definition, environment);
      expect(registerTaskDefinitionInputSchema.safeParse(revision).error?.issues).toBeUndefined();
      expect(taskDefinitionProblems(revision)).toEqual([]);
    },
  );

  it('runs the pinned public image, with a read-only root and a tmpfs for what httpd serves', () => {
    for (const definition of definitions) {
      for (const container of bootstrapRevision(definition, environment).containerDefinitions!) {
        expect(container).toMatchObject({
          image: BOOTSTRAP_IMAGE,
          readonlyRootFilesystem: true,
          linuxParameters: { tmpfs: [{ containerPath: '/tmp', size: 1 }] },
        });
      }
    }
  });
});

describe('the bootstrap image', () => {
  it('is pulled from ECR Public without credentials, pinned by the digest of its multi-platform index', () => {
    expect(BOOTSTRAP_IMAGE).toMatch(/^public\.ecr\.aws\/docker\/library\/busybox@sha256:[0-9a-f]{64}$/);
  });
});
