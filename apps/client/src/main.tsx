import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { App } from './App';
import { resolveApiConfig } from './config';
import './styles.css';

// The only place that reads the environment: /config.js at run time, then the build.
const { baseUrl, warnings } = resolveApiConfig(window.PING_PONG_CONFIG?.apiBaseUrl, import.meta.env.VITE_API_BASE_URL);
const api = createApi({ baseUrl, fetch: (url, init) => window.fetch(url, init) });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} warnings={warnings} />
  </StrictMode>,
);
