import type { RunResult } from '../api';
import { outcomeLabel } from './outcome-text';

/** The last runs, newest first. */
export function History({ runs }: { runs: readonly RunResult[] }) {
  if (runs.length === 0) return null;
  return (
    <table className="history">
      <caption>Last {runs.length === 1 ? 'run' : `${runs.length} runs`}</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Status</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run, index) => (
          <tr key={`${run.startedAt.getTime()}-${index}`} className={run.outcome.kind === 'success' ? '' : 'history-failed'}>
            <td>
              <time dateTime={run.startedAt.toISOString()}>{run.startedAt.toLocaleTimeString()}</time>
            </td>
            <td>{outcomeLabel(run.outcome)}</td>
            <td>{run.durationMs} ms</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
