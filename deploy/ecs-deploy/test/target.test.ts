import { commitTag } from '../src/commit';
import { deployTargets } from '../src/target';
import { COMMIT } from './support';

describe('npm run deploy:target: where a delivery goes, for the workflow', () => {
  it('prints the commit tag and, per environment, the region, registry and deploy role derived from its file', () => {
    expect(deployTargets(['staging', 'production'], COMMIT)).toEqual([
      'tag=git-0123456789ab',
      'staging={"region":"eu-west-1","registry":"210987654321.dkr.ecr.eu-west-1.amazonaws.com","deployRoleArn":"arn:aws:iam::210987654321:role/ping-pong-staging-deploy"}',
      'production={"region":"eu-west-1","registry":"123456789012.dkr.ecr.eu-west-1.amazonaws.com","deployRoleArn":"arn:aws:iam::123456789012:role/ping-pong-production-deploy"}',
    ]);
  });

  it('tags a commit git-<first 12 hex digits>, the same in every environment', () => {
    expect(commitTag(COMMIT)).toBe('git-0123456789ab');
  });

  it('refuses an unknown environment, naming it as it was given (an argument, not --env)', () => {
    expect(() => deployTargets(['staging', 'prod'], COMMIT)).toThrow(
      expect.objectContaining({ problems: ['prod: no such environment (known: production, staging)'] }),
    );
  });
});
