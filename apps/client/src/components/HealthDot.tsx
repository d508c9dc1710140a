import { useEffect, useState } from 'react';

type Health = 'checking' | 'up' | 'down';

interface HealthDotProps {
  isGatewayUp(): Promise<boolean>;
  intervalMs: number;
}

/** Polls the gateway's /ping; the next check waits for the last one, so checks never pile up. */
export function HealthDot({ isGatewayUp, intervalMs }: HealthDotProps) {
  const [health, setHealth] = useState<Health>('checking');

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      const up = await isGatewayUp();
      if (stopped) return;
      setHealth(up ? 'up' : 'down');
      timer = setTimeout(() => void check(), intervalMs);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [isGatewayUp, intervalMs]);

  return (
    <p className="health" role="status">
      <span className={`health-dot health-${health}`} aria-hidden="true" />
      Gateway {health === 'checking' ? 'checking…' : health}
    </p>
  );
}
