import { assess } from '../src/rollout';
import { deployment, NODE, service } from './support';

const ours = 'ecs-svc/new';

describe('judging a rollout from one DescribeServices answer', () => {
  it('without rollout states, it is done when running equals desired and no other deployment is left', () => {
    const settling = service(NODE, [
      deployment({ id: ours, rolloutState: undefined, runningCount: 2 }),
      deployment({ id: 'ecs-svc/old', status: 'ACTIVE' }),
    ]);
    const alone = service(NODE, [deployment({ id: ours, rolloutState: undefined, runningCount: 2 })]);
    const short = service(NODE, [deployment({ id: ours, rolloutState: undefined, runningCount: 1 })]);

    expect(assess(settling, ours).state).toBe('in-progress');
    expect(assess(short, ours).state).toBe('in-progress');
    expect(assess(alone, ours)).toEqual({ state: 'completed' });
  });

  it('a deployment that another one replaced as PRIMARY is a failure naming the newcomer', () => {
    const replaced = service(NODE, [
      deployment({ id: 'ecs-svc/someone-else', taskDefinition: 'td:43', rolloutState: 'IN_PROGRESS' }),
      deployment({ id: ours, status: 'ACTIVE', rolloutState: 'IN_PROGRESS' }),
    ]);

    expect(assess(replaced, ours)).toEqual({
      state: 'failed',
      reason: `deployment ${ours} was replaced by a newer one (ecs-svc/someone-else running td:43)`,
    });
  });
});
