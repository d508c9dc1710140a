import { SERVICE_NAMES } from '@ping-pong/contract';
import { hopIsService, type RunOutcome } from '../api';

type HopState = 'idle' | 'running' | 'ok' | 'failed' | 'unreached';

interface HopView {
  service: string;
  state: HopState;
  note: string;
}

interface ChainProps {
  running: boolean;
  outcome: RunOutcome | undefined;
}

/** node-john → … → node-ringo, with what each hop did in the last run. */
export function Chain({ running, outcome }: ChainProps) {
  const hops = running ? SERVICE_NAMES.map((service) => ({ service, state: 'running' as const, note: 'calling…' })) : hopViews(outcome);
  return (
    <ol className={running ? 'chain chain-running' : 'chain'} aria-label="The chain">
      {hops.map(({ service, state, note }) => (
        <li key={service} className={`hop hop-${state}`}>
          <span className="hop-name">{service}</span>
          <span className="hop-note">{note}</span>
        </li>
      ))}
    </ol>
  );
}

function hopViews(outcome: RunOutcome | undefined): HopView[] {
  if (outcome?.kind === 'success') {
    return SERVICE_NAMES.map((service, index) => {
      if (index === 0) return { service, state: 'ok', note: 'started the chain' };
      const meow = outcome.meows.find((item) => item.startsWith(`meow from ${service}:`));
      return meow ? { service, state: 'ok', note: meow } : { service, state: 'unreached', note: 'no meow in the answer' };
    });
  }
  if (outcome?.kind === 'chain_failure') {
    const failedAt = SERVICE_NAMES.findIndex((service) => hopIsService(outcome.hop, service));
    if (failedAt >= 0) {
      return SERVICE_NAMES.map((service, index) => {
        if (index < failedAt) return { service, state: 'ok', note: 'passed it on' };
        if (index === failedAt) return { service, state: 'failed', note: `failed here: ${outcome.code}` };
        return { service, state: 'unreached', note: 'not reached' };
      });
    }
  }
  return SERVICE_NAMES.map((service) => ({ service, state: 'idle', note: '' }));
}
