import { resolveApiConfig } from '../src/config';

describe('resolveApiConfig', () => {
  it('uses the run-time value from /config.js over the build-time one', () => {
    expect(resolveApiConfig('https://api.example.com', 'https://build.example.com')).toEqual({
      baseUrl: 'https://api.example.com',
      warnings: [],
    });
  });

  it('falls back to the build-time value when the run-time one is empty', () => {
    expect(resolveApiConfig('  ', 'https://build.example.com/')).toEqual({ baseUrl: 'https://build.example.com', warnings: [] });
  });

  it('uses the same origin when neither is set', () => {
    expect(resolveApiConfig(undefined, undefined)).toEqual({ baseUrl: '', warnings: [] });
    expect(resolveApiConfig('', '')).toEqual({ baseUrl: '', warnings: [] });
  });

  it('keeps a path prefix without its trailing slash', () => {
    expect(resolveApiConfig('/api/', undefined).baseUrl).toBe('/api');
    expect(resolveApiConfig('https://example.com/chain/', undefined).baseUrl).toBe('https://example.com/chain');
  });

  it('skips a value that is not an http(s) URL or path, says why, and tries the next one', () => {
    const config = resolveApiConfig('ftp://example.com', 'https://build.example.com');
    expect(config.baseUrl).toBe('https://build.example.com');
    expect(config.warnings).toEqual([expect.stringContaining('Ignored PING_PONG_CONFIG.apiBaseUrl in /config.js ("ftp://example.com")')]);
  });

  it('rejects a non-string run-time value, a query string and a protocol-relative URL', () => {
    expect(resolveApiConfig(42, undefined)).toEqual({ baseUrl: '', warnings: [expect.stringContaining('(42)')] });
    expect(resolveApiConfig('https://example.com/?x=1', undefined).warnings).toHaveLength(1);
    expect(resolveApiConfig('//example.com', undefined).warnings).toHaveLength(1);
  });
});
