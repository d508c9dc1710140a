export interface ApiConfig {
  /** Prefix for /start and /ping with no trailing slash; '' means same origin. */
  baseUrl: string;
  /** Why a configured value was ignored, shown on the page. */
  warnings: string[];
}

interface Candidate {
  source: string;
  value: unknown;
}

/**
 * Picks the API base URL: the run-time value from /config.js if set, else the
 * build-time VITE_API_BASE_URL, else same origin. A value that is not an
 * http(s) URL or an absolute path is skipped with a warning instead of
 * breaking every request.
 */
export function resolveApiConfig(runtimeValue: unknown, buildTimeValue: string | undefined): ApiConfig {
  const candidates: Candidate[] = [
    { source: 'PING_PONG_CONFIG.apiBaseUrl in /config.js', value: runtimeValue },
    { source: 'VITE_API_BASE_URL at build time', value: buildTimeValue },
  ];
  const warnings: string[] = [];
  for (const { source, value } of candidates) {
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    const baseUrl = typeof value === 'string' ? normalizeBaseUrl(value.trim()) : undefined;
    if (baseUrl !== undefined) return { baseUrl, warnings };
    warnings.push(`Ignored ${source} (${JSON.stringify(value)}): it must be an http(s) URL or a path starting with "/".`);
  }
  return { baseUrl: '', warnings };
}

function normalizeBaseUrl(value: string): string | undefined {
  if (value.startsWith('/') && !value.startsWith('//')) return value.replace(/\/+$/, '');
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash) return undefined;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
