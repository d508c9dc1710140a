import { useCallback, useRef, useState } from 'react';
import type { ChainApi, RunResult } from './api';
import { Board } from './components/Board';
import { Chain } from './components/Chain';
import { HealthDot } from './components/HealthDot';
import { History } from './components/History';
import { RunSummary } from './components/RunSummary';

export const HISTORY_LENGTH = 10;

interface AppProps {
  api: ChainApi;
  healthIntervalMs?: number;
  /** Configuration problems worth showing rather than hiding in the console. */
  warnings?: readonly string[];
}

export function App({ api, healthIntervalMs = 5000, warnings = [] }: AppProps) {
  const [running, setRunning] = useState(false);
  const [runs, setRuns] = useState<RunResult[]>([]);
  // One run at a time: the ref also stops a second click that lands before React re-renders.
  const inFlight = useRef(false);

  const run = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setRunning(true);
    const result = await api.runChain();
    setRuns((previous) => [result, ...previous].slice(0, HISTORY_LENGTH));
    setRunning(false);
    inFlight.current = false;
  }, [api]);

  const last = runs[0];
  return (
    <main className="app">
      <header className="app-header">
        <h1>PING PONG</h1>
        <HealthDot isGatewayUp={api.isGatewayUp} intervalMs={healthIntervalMs} />
      </header>
      {warnings.map((warning) => (
        <p key={warning} className="warning" role="alert">
          {warning}
        </p>
      ))}
      <Board busy={running} onRun={() => void run()} />
      <Chain running={running} outcome={last?.outcome} />
      <RunSummary running={running} result={last} />
      <History runs={runs} />
    </main>
  );
}
