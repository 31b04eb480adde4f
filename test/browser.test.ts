// GraphiQL in a real browser, offline: Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by
// playwright-core, with every request to another host refused. It runs the README tour's first query, reads the
// answer, opens the documentation explorer on createUser and saves a screenshot (test-results/graphiql.png).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../src/graphql/schema.js';
import { serviceContext } from '../src/services/context.js';
import { bootstrapPartner } from '../src/services/partners.js';
import { startServer, type TestServer } from './support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(import.meta.dirname, '..', 'test-results', 'graphiql.png');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/browser.test.ts skipped: ${CHROMIUM} is missing (apt-get install chromium).`);

/** The first query of README.md's "A tour in GraphiQL": the demo admin's sign-in. */
function tourFirstQuery(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## A tour in GraphiQL'));
  return tour.match(/```graphql\n([\s\S]*?)```/)![1]!;
}

let s: TestServer;
let browser: Browser;

describe.skipIf(!hasChromium)(`GraphiQL in Chromium (${CHROMIUM})`, () => {
  beforeAll(async () => {
    [s, browser] = await Promise.all([
      startServer({ GRAPHIQL: '1' }),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-dev-shm-usage'],
      }),
    ]);
    // The demo partner's admin, whose sign-in the README's first query is (the demo seed is off in tests).
    await bootstrapPartner(serviceContext(s.database.db, s.clock), {
      partnerName: 'Northwind Traders',
      adminEmail: 'admin@northwind.example',
      adminPassword: 'Demo-Passw0rd!',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('runs the tour’s first query and shows createUser in the docs, with nothing from another host', async () => {
    const query = tourFirstQuery();
    expect(query).toContain('signIn(');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(s.url).origin });
    const offsite: string[] = [];
    // Workers' requests go through the context's routes as well as the page's.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offsite.push(url.href);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    // The CSRF rule (src/server.ts): every request GraphiQL sends to the API carries a preflight header.
    const apiRequests: { method: string; preflight?: string }[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/graphql' && r.resourceType() !== 'document')
        apiRequests.push({ method: r.method(), preflight: r.headers()['graphql-preflight'] });
    });
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));

    try {
      await page.goto(s.url);
      const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
      await editor.waitFor({ timeout: 10_000 });
      // Replace the default query by pasting it (typing it would add Monaco's closing brackets).
      await page.evaluate((text) => navigator.clipboard.writeText(text), query);
      await editor.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+V');
      await page.locator('.graphiql-execute-button').click();

      // Monaco lays the answer out with non-breaking spaces.
      const answerText = async () =>
        ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/[\s\u00a0]+/g, ' ');
      await expect.poll(answerText, { timeout: 10_000 }).toMatch(/"token": "pat_[\w-]+"/);
      const answer = await answerText();
      expect(answer).toMatch(/"expiresAt": "2026-06-/);
      expect(answer).toContain('"userErrors": []');

      await page.getByRole('button', { name: /documentation explorer/i }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      // GraphiQL introspects the schema for its docs: say so plainly if the server refused it.
      await expect.poll(() => docs.textContent()).toMatch(/Root Types|Error fetching schema/);
      expect(await docs.textContent(), 'GraphiQL could not introspect the schema').not.toContain(
        'Error fetching schema',
      );
      await docs.getByRole('link', { name: 'Mutation', exact: true }).first().click();
      await docs.getByRole('link', { name: 'createUser', exact: true }).first().click();
      // The description's first line, as the schema has it (Creates a user with a temporary password …).
      const description = buildSchema().getMutationType()!.getFields().createUser!.description!.split('\n')[0]!;
      expect(description).toMatch(/^Creates a user/);
      await expect.poll(() => docs.textContent(), { timeout: 5_000 }).toContain(description);
    } finally {
      // Also when a step fails: the screenshot shows where.
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      await context.close();
    }
    expect(offsite).toEqual([]);
    // At least the schema's introspection and the sign-in.
    expect(apiRequests.length).toBeGreaterThanOrEqual(2);
    expect(apiRequests.filter((r) => r.preflight !== '1')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
