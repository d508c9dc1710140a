/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Build-time API base URL; the run-time /config.js value wins over it. */
  readonly VITE_API_BASE_URL?: string;
}

interface Window {
  /** Set by /config.js, which index.html loads before the app. */
  PING_PONG_CONFIG?: { apiBaseUrl?: unknown };
}
