import { EnvironmentVariableError, loadConfig } from '../src/config';

const defaults = { serviceName: 'node-paul', nextHop: 'http://node-george:3000' };

describe('loadConfig', () => {
  it('uses the app defaults and the documented values when nothing is set', () => {
    const config = loadConfig({}, defaults);
    expect(config).toEqual({
      serviceName: 'node-paul',
      port: 3000,
      nextHop: new URL('http://node-george:3000'),
      requestDeadlineMs: 2000,
      maxHops: 8,
      logLevel: 'info',
      corsOrigins: [],
      shutdownTimeoutMs: 10_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable from the environment', () => {
    const config = loadConfig(
      {
        SERVICE_NAME: 'node-x',
        PORT: '8080',
        NEXT_HOP: 'https://node-y.internal:8443',
        REQUEST_DEADLINE_MS: '500',
        MAX_HOPS: '3',
        LOG_LEVEL: 'debug',
        CORS_ORIGINS: 'https://a.example, http://localhost:5173',
        SHUTDOWN_TIMEOUT_MS: '2000',
      },
      defaults,
    );
    expect(config.serviceName).toBe('node-x');
    expect(config.port).toBe(8080);
    expect(config.nextHop?.hostname).toBe('node-y.internal');
    expect(config.requestDeadlineMs).toBe(500);
    expect(config.maxHops).toBe(3);
    expect(config.logLevel).toBe('debug');
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(config.shutdownTimeoutMs).toBe(2000);
  });

  it('ends the chain when NEXT_HOP is set but empty, as compose and ECS pass it', () => {
    expect(loadConfig({ NEXT_HOP: '' }, defaults).nextHop).toBeUndefined();
  });

  it('allows every origin only when CORS_ORIGINS says "*"', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }, defaults).corsOrigins).toEqual(['*']);
  });

  it.each([
    ['PORT', '70000', /PORT "70000".*65535/],
    ['PORT', 'eighty', /PORT "eighty"/],
    ['PORT', '3000.5', /PORT "3000.5"/],
    ['NEXT_HOP', 'ftp://node-george:3000', /NEXT_HOP "ftp:\/\/node-george:3000": must be an http\(s\) URL/],
    ['NEXT_HOP', 'node-george:3000', /NEXT_HOP "node-george:3000": must be an http\(s\) URL/],
    ['NEXT_HOP', 'http://node-george:3000/hop', /NEXT_HOP .*no path/],
    ['SERVICE_NAME', 'node paul', /SERVICE_NAME "node paul": must be a DNS label/],
    ['REQUEST_DEADLINE_MS', '0', /REQUEST_DEADLINE_MS "0"/],
    ['MAX_HOPS', '-1', /MAX_HOPS "-1"/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL "loud"/],
    ['CORS_ORIGINS', 'example.com', /CORS_ORIGINS "example.com": .*origins/],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', /SHUTDOWN_TIMEOUT_MS "soon"/],
  ])('refuses %s=%s with one line naming the variable', (variable, value, message) => {
    const load = () => loadConfig({ [variable]: value }, defaults);
    expect(load).toThrow(EnvironmentVariableError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (error) {
      expect((error as EnvironmentVariableError).variable).toBe(variable);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
