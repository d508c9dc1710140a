import { CHAIN } from '@ping-pong/contract';
import type { RunOutcome } from '../api';

/** A one-line heading and a sentence for every kind of outcome. */
export function describeOutcome(outcome: RunOutcome): { title: string; detail: string } {
  switch (outcome.kind) {
    case 'success':
      return { title: `${outcome.meows.length} meows`, detail: outcome.meows.join(' · ') };
    case 'chain_failure':
      return { title: `${outcome.hop} failed (${outcome.status} ${outcome.code})`, detail: outcome.message };
    case 'http_error':
      return {
        title: `The gateway answered ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`,
        detail: outcome.message ?? 'No error details came with the answer.',
      };
    case 'not_json':
      return {
        title: `The gateway answered ${outcome.status} with something that is not JSON`,
        detail: `It sent ${outcome.contentType}; a proxy in front of ${CHAIN[0].service} may have answered instead of the services.`,
      };
    case 'unexpected_answer':
      return { title: `The gateway answered ${outcome.status} with unexpected JSON`, detail: 'Expected a list of meows.' };
    case 'network_error':
      return { title: 'The gateway could not be reached', detail: `The request failed before any answer (${outcome.message}).` };
    case 'timeout':
      return { title: 'No answer', detail: `The gateway did not answer within ${outcome.timeoutMs / 1000} s.` };
  }
}

/** The short form for the history table. */
export function outcomeLabel(outcome: RunOutcome): string {
  switch (outcome.kind) {
    case 'success':
      return `${outcome.status} ok`;
    case 'chain_failure':
      return `${outcome.status} ${outcome.hop}`;
    case 'http_error':
      return String(outcome.status);
    case 'not_json':
      return `${outcome.status} not JSON`;
    case 'unexpected_answer':
      return `${outcome.status} unexpected`;
    case 'network_error':
      return 'network error';
    case 'timeout':
      return 'timeout';
  }
}
