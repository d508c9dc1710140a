import { createApi } from '../src/api';
import { fakeGateway, jsonResponse, MEOWS, response } from './fake-gateway';

describe('createApi', () => {
  it('calls /start and /ping under the configured base URL', async () => {
    const fetch = fakeGateway(async () => jsonResponse(200, MEOWS));
    const api = createApi({ baseUrl: 'https://api.example.com', fetch });
    await api.runChain();
    await api.isGatewayUp();
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(['https://api.example.com/start', 'https://api.example.com/ping']);
  });

  it('takes the request id from the body when the X-Request-Id header is not readable', async () => {
    const body = { error: 'bad_gateway', message: 'node-ringo refused the connection', hop: 'node-ringo', requestId: 'from-body' };
    const api = createApi({ baseUrl: '', fetch: fakeGateway(async () => jsonResponse(502, body)) });
    expect((await api.runChain()).requestId).toBe('from-body');
  });

  it('counts the gateway as down when /ping answers 200 with something other than pong', async () => {
    const api = createApi({ baseUrl: '', fetch: fakeGateway(jest.fn(), async () => response(200, '<!doctype html>')) });
    expect(await api.isGatewayUp()).toBe(false);
  });

  it('counts the gateway as down when /ping cannot be reached', async () => {
    const api = createApi({
      baseUrl: '',
      fetch: fakeGateway(jest.fn(), async () => {
        throw new TypeError('Failed to fetch');
      }),
    });
    expect(await api.isGatewayUp()).toBe(false);
  });
});
