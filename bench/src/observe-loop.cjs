// Preloaded (node --require) into the services by `npm run bench -- profile`:
// the event loop's delay and every GC pause, from SIGUSR2 (sent when the
// measured load starts) to exit, written as JSON to
// $BENCH_OBSERVE_DIR/$SERVICE_NAME.json. Needs nothing from the service.
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const delay = monitorEventLoopDelay({ resolution: 1 });
let pauses = [];
delay.enable();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) pauses.push({ kind: entry.detail.kind, ms: entry.duration });
}).observe({ entryTypes: ['gc'] });

process.on('SIGUSR2', () => {
  delay.reset();
  pauses = [];
});

process.once('exit', () => {
  const ms = (nanoseconds) => nanoseconds / 1e6;
  const loopDelayMs = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
  writeFileSync(path.join(process.env.BENCH_OBSERVE_DIR, `${process.env.SERVICE_NAME}.json`), JSON.stringify({ loopDelayMs, pauses }));
});
