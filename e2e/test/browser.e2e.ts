import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expectedStartAnswer, SERVICE_NAMES } from '@ping-pong/contract';
import { assertBuilt, startBrowserStack, type BrowserStack } from '../support/browser-stack';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '../test-artifacts');
const UI_TIMEOUT_MS = 10_000;

let stack: BrowserStack | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;

beforeAll(async () => {
  assertBuilt();
  stack = await startBrowserStack();
  userDataDir = mkdtempSync(join(tmpdir(), 'ping-pong-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, 30_000);

async function openBoard(width: number, height: number): Promise<Page> {
  const page = await context!.newPage();
  await page.setViewportSize({ width, height });
  await page.goto(stack!.boardUrl);
  return page;
}

function summary(page: Page) {
  return page.getByRole('region', { name: 'Result' });
}

describe('the PING PONG board in Chromium, in front of the four built services', () => {
  it('a click on a letter shows the three meows on their hops, the round trip and the request id', async () => {
    const page = await openBoard(1280, 900);
    await page.getByText('Gateway up').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByRole('button', { name: 'Run the chain (P of PING)' }).click();

    const chain = page.getByRole('list', { name: 'The chain' });
    const { ports } = stack!.chain;
    for (const meow of expectedStartAnswer(SERVICE_NAMES, (service) => ports[service]!)) {
      await chain.getByText(meow, { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    }
    expect(await summary(page).textContent()).toMatch(/OK: 3 meows.*Round trip \d+ ms · request id [\w-]{8,}/);
    await page.screenshot({ path: join(ARTIFACTS, 'browser-desktop-meows.png'), fullPage: true });
    await page.close();
  });

  it('when node-ringo is stopped, a click shows the failure naming node-ringo and marks it on the chain', async () => {
    await stack!.chain.processes['node-ringo']!.stop();
    const page = await openBoard(360, 800);
    await page.getByRole('button', { name: 'Run the chain (G of PONG)' }).click();

    await summary(page).getByText('Failed: node-ringo failed (502 bad_gateway)').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await summary(page).textContent()).toContain('node-ringo refused the connection');
    const ringo = page.getByRole('list', { name: 'The chain' }).getByRole('listitem').filter({ hasText: 'node-ringo' });
    expect(await ringo.getAttribute('class')).toContain('hop-failed');
    expect(await page.getByRole('table', { name: 'Last run' }).textContent()).toContain('502 node-ringo');
    await page.screenshot({ path: join(ARTIFACTS, 'browser-phone-ringo-down.png'), fullPage: true });

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(ARTIFACTS, 'browser-desktop-ringo-down.png'), fullPage: true });
    await page.close();
  });
});
