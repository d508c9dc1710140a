import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { HttpResponseLike } from '../src/api';
import { createApi } from '../src/api';
import { App } from '../src/App';
import { fakeGateway, hangUntilAborted, jsonResponse, MEOWS, response, startCalls } from './fake-gateway';

function renderBoard(fetch: ReturnType<typeof fakeGateway>, warnings: string[] = []) {
  render(<App api={createApi({ baseUrl: '', fetch })} warnings={warnings} />);
}

/** Renders and lets the first health check settle, so its update happens inside act. */
async function renderApp(fetch: ReturnType<typeof fakeGateway>, warnings: string[] = []) {
  renderBoard(fetch, warnings);
  await act(async () => {});
}

function hop(service: string): HTMLElement {
  return within(screen.getByRole('list', { name: 'The chain' }))
    .getByText(service)
    .closest('li')!;
}

function summary(): HTMLElement {
  return screen.getByRole('region', { name: 'Result' });
}

const clickLetter = (name = 'Run the chain (P of PING)') => userEvent.click(screen.getByRole('button', { name }));

afterEach(() => jest.useRealTimers());

describe('the board', () => {
  it('shows PING and PONG as eight labelled letters in the original colours', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, MEOWS)));
    const letters = screen.getAllByRole('button', { name: /^Run the chain/ });
    expect(letters.map((button) => button.textContent).join('')).toBe('PINGPONG');
    const colours = ['#C8E6C9', '#BBDEFB', '#ffcdd2', '#E1BEE7', '#BBDEFB', '#C8E6C9', '#E1BEE7', '#ffcdd2'];
    // A colour as the DOM writes it back (rgb(…)), so each letter's is compared with its label.
    const asStyled = (colour: string) => Object.assign(document.createElement('span').style, { backgroundColor: colour }).backgroundColor;
    expect(letters.map((button) => [button.getAttribute('aria-label'), button.style.backgroundColor])).toEqual(
      letters.map((button, index) => [button.getAttribute('aria-label'), asStyled(colours[index]!)]),
    );
    expect(screen.getByRole('button', { name: 'Run the chain (O of PONG)' })).toBeInTheDocument();
  });

  it('draws the chain from node-john to node-ringo and invites a click', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, MEOWS)));
    const hops = within(screen.getByRole('list', { name: 'The chain' })).getAllByRole('listitem');
    expect(hops.map((item) => item.querySelector('.hop-name')?.textContent)).toEqual([
      'node-john',
      'node-paul',
      'node-george',
      'node-ringo',
    ]);
    expect(summary()).toHaveTextContent('Press any letter to run the chain.');
  });

  it('shows configuration warnings on the page', async () => {
    await renderApp(
      fakeGateway(async () => jsonResponse(200, MEOWS)),
      ['Ignored VITE_API_BASE_URL at build time ("x")'],
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Ignored VITE_API_BASE_URL at build time ("x")');
  });
});

describe('a successful run', () => {
  it('puts each meow on its hop and shows the round trip and request id', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, MEOWS, { 'X-Request-Id': 'req-123' })));
    await clickLetter();
    expect(await within(hop('node-paul')).findByText('meow from node-paul:3002')).toBeInTheDocument();
    expect(hop('node-george')).toHaveTextContent('meow from node-george:3003');
    expect(hop('node-ringo')).toHaveTextContent('meow from node-ringo:3004');
    expect(hop('node-john')).toHaveTextContent('started the chain');
    expect(summary()).toHaveTextContent('OK: 3 meows');
    expect(summary()).toHaveTextContent(/Round trip \d+ ms · request id req-123/);
  });

  it('marks a hop whose meow is missing from the answer', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, MEOWS.slice(0, 2))));
    await clickLetter();
    expect(await within(hop('node-ringo')).findByText('no meow in the answer')).toBeInTheDocument();
    expect(hop('node-ringo')).toHaveClass('hop-unreached');
  });
});

describe('a failed run', () => {
  it.each([
    [502, 'bad_gateway', 'node-ringo refused the connection'],
    [504, 'gateway_timeout', 'node-ringo did not answer within 1700 ms'],
    [508, 'loop_detected', 'the chain passed 8 hops before node-ringo; NEXT_HOP wiring loops'],
  ])('when the services answer %i %s, the board names node-ringo and marks it', async (status, code, message) => {
    const body = { error: code, message, hop: 'node-ringo', requestId: 'req-9' };
    await renderApp(fakeGateway(async () => jsonResponse(status, body, { 'X-Request-Id': 'req-9' })));
    await clickLetter();
    expect(await within(summary()).findByText(`Failed: node-ringo failed (${status} ${code})`)).toBeInTheDocument();
    expect(summary()).toHaveTextContent(message);
    expect(summary()).toHaveTextContent('request id req-9');
    expect(hop('node-ringo')).toHaveClass('hop-failed');
    expect(hop('node-ringo')).toHaveTextContent(`failed here: ${code}`);
    expect(hop('node-john')).toHaveTextContent('passed it on');
    expect(hop('node-george')).toHaveClass('hop-ok');
  });

  it('when node-george fails, node-ringo is shown as not reached', async () => {
    const body = { error: 'bad_gateway', message: 'node-george refused the connection', hop: 'node-george', requestId: 'r' };
    await renderApp(fakeGateway(async () => jsonResponse(502, body)));
    await clickLetter();
    expect(await within(hop('node-ringo')).findByText('not reached')).toBeInTheDocument();
    expect(hop('node-george')).toHaveClass('hop-failed');
  });

  it('names a failing hop that is not on the drawn chain without marking any', async () => {
    const body = { error: 'bad_gateway', message: 'localhost refused the connection', hop: 'localhost', requestId: 'r' };
    await renderApp(fakeGateway(async () => jsonResponse(502, body)));
    await clickLetter();
    expect(await within(summary()).findByText('Failed: localhost failed (502 bad_gateway)')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'The chain' }).querySelector('.hop-failed')).toBeNull();
  });

  it('when the gateway cannot be reached, says so', async () => {
    await renderApp(
      fakeGateway(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await clickLetter();
    expect(await within(summary()).findByText('Failed: The gateway could not be reached')).toBeInTheDocument();
    expect(summary()).toHaveTextContent('Failed to fetch');
    expect(summary()).toHaveTextContent('request id none');
  });

  it('when a proxy answers with an HTML page, says the answer is not JSON', async () => {
    await renderApp(fakeGateway(async () => response(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' })));
    await clickLetter();
    expect(await within(summary()).findByText('Failed: The gateway answered 502 with something that is not JSON')).toBeInTheDocument();
    expect(summary()).toHaveTextContent('It sent text/html');
  });

  it('shows another error status with the services’ own message', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(404, { error: 'not_found', message: 'no route for GET /start', requestId: 'r' })));
    await clickLetter();
    expect(await within(summary()).findByText('Failed: The gateway answered 404 not_found')).toBeInTheDocument();
    expect(summary()).toHaveTextContent('no route for GET /start');
  });

  it('when 200 carries JSON that is not a list of meows, says so', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, { meows: MEOWS })));
    await clickLetter();
    expect(await within(summary()).findByText('Failed: The gateway answered 200 with unexpected JSON')).toBeInTheDocument();
  });

  it('when the gateway never answers, gives up after 10 s and frees the board', async () => {
    jest.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: jest.advanceTimersByTime });
    await renderApp(fakeGateway(hangUntilAborted));
    await user.click(screen.getByRole('button', { name: 'Run the chain (G of PONG)' }));
    expect(summary()).toHaveTextContent('Running the chain…');
    await act(async () => jest.advanceTimersByTime(10_000));
    expect(summary()).toHaveTextContent('Failed: No answer');
    expect(summary()).toHaveTextContent('did not answer within 10 s');
    expect(screen.getByRole('button', { name: 'Run the chain (G of PONG)' })).toHaveAttribute('aria-disabled', 'false');
  });
});

describe('clicks while a run is in flight', () => {
  it('are ignored: one run at a time, and the letters say they are busy', async () => {
    let answer!: (value: HttpResponseLike) => void;
    const fetch = fakeGateway(() => new Promise((resolve) => (answer = resolve)));
    await renderApp(fetch);
    await clickLetter('Run the chain (P of PING)');
    await clickLetter('Run the chain (I of PING)');
    await clickLetter('Run the chain (N of PONG)');
    expect(startCalls(fetch)).toBe(1);
    expect(hop('node-paul')).toHaveTextContent('calling…');
    const enabled = screen
      .getAllByRole('button', { name: /^Run the chain/ })
      .filter((button) => button.getAttribute('aria-disabled') !== 'true');
    expect(enabled.map((button) => button.getAttribute('aria-label'))).toEqual([]);

    await act(async () => answer(jsonResponse(200, MEOWS)));
    expect(summary()).toHaveTextContent('OK: 3 meows');
    await clickLetter();
    expect(startCalls(fetch)).toBe(2);
  });
});

describe('the history', () => {
  it('keeps the last 10 runs, newest first, with status and duration', async () => {
    let runNumber = 0;
    const fetch = fakeGateway(async () => {
      runNumber += 1;
      return runNumber % 2 === 0
        ? jsonResponse(200, MEOWS)
        : jsonResponse(502, { error: 'bad_gateway', message: 'x', hop: 'node-ringo', requestId: `r${runNumber}` });
    });
    await renderApp(fetch);
    for (let click = 0; click < 12; click++) {
      await clickLetter();
      await within(summary()).findByText(/^(OK|Failed):/);
    }
    const table = screen.getByRole('table', { name: 'Last 10 runs' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(10);
    expect(rows.map((row) => within(row).getAllByRole('cell')[1]!.textContent)).toEqual([
      '200 ok',
      '502 node-ringo',
      '200 ok',
      '502 node-ringo',
      '200 ok',
      '502 node-ringo',
      '200 ok',
      '502 node-ringo',
      '200 ok',
      '502 node-ringo',
    ]);
    expect(rows.map((row) => within(row).getAllByRole('cell')[2]?.textContent)).toEqual(rows.map(() => expect.stringMatching(/^\d+ ms$/)));
    expect(startCalls(fetch)).toBe(12);
  });

  it('is not shown before the first run', async () => {
    await renderApp(fakeGateway(async () => jsonResponse(200, MEOWS)));
    expect(screen.queryByRole('table')).toBeNull();
  });
});

describe('the health dot', () => {
  it('polls /ping every 5 s and shows whether the gateway is up', async () => {
    jest.useFakeTimers();
    const pings = [response(200, 'pong'), response(503, '')];
    const fetch = fakeGateway(jest.fn(), async () => pings.shift() ?? response(200, 'pong'));
    renderBoard(fetch);
    const health = screen.getByRole('status');
    expect(health).toHaveTextContent('Gateway checking…');
    await act(async () => {});
    expect(health).toHaveTextContent('Gateway up');
    await act(async () => jest.advanceTimersByTime(4_999));
    expect(fetch).toHaveBeenCalledTimes(1);
    await act(async () => jest.advanceTimersByTime(1));
    expect(health).toHaveTextContent('Gateway down');
    expect(fetch.mock.calls.map(([url]) => url)).toEqual(['/ping', '/ping']);
  });

  it('waits for a slow check instead of piling up more', async () => {
    jest.useFakeTimers();
    const fetch = fakeGateway(jest.fn(), () => new Promise(() => {}));
    renderBoard(fetch);
    await act(async () => jest.advanceTimersByTime(60_000));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status')).toHaveTextContent('Gateway checking…');
  });
});
