import type { RunResult } from '../api';
import { describeOutcome } from './outcome-text';

interface RunSummaryProps {
  running: boolean;
  result: RunResult | undefined;
}

/** What the last click did, announced to screen readers as it changes. */
export function RunSummary({ running, result }: RunSummaryProps) {
  return (
    <section className="summary" aria-live="polite" aria-atomic="true" aria-label="Result">
      {running ? (
        <p className="summary-title">Running the chain…</p>
      ) : result ? (
        <ResultText result={result} />
      ) : (
        <p>Press any letter to run the chain.</p>
      )}
    </section>
  );
}

function ResultText({ result }: { result: RunResult }) {
  const { title, detail } = describeOutcome(result.outcome);
  const failed = result.outcome.kind !== 'success';
  return (
    <>
      <p className={failed ? 'summary-title summary-failed' : 'summary-title'}>
        {failed ? 'Failed: ' : 'OK: '}
        {title}
      </p>
      <p className="summary-detail">{detail}</p>
      <p className="summary-meta">
        Round trip {result.durationMs} ms · request id <code>{result.requestId ?? 'none'}</code>
      </p>
    </>
  );
}
