// The console's overview, audit trail and settings in Chromium: the chart
// and its numbers, filtering and paging the trail, the CSV export, the
// user pool's MFA policy, a test email reaching the mailbox; axe, phone
// width and the Content-Security-Policy on each page in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startEnv, launch, newPage, signIn, axeViolations, consoleSignIn, PHONE, DESKTOP,
} from './lib.mjs';

const shots = process.env.GENAUTH_SCREENSHOTS;

let env;
let browser;
// page is signed in to the console as the "audit" administrator, once: an
// authenticator code is good for one 30-second step, so each sign-in would
// wait for the next. Each test leaves page.problems empty.
let page;
before(async () => {
  env = await startEnv();
  browser = await launch();
  page = await newPage(browser);
  await consoleSignIn(env, page, 'audit');
});
after(async () => {
  await browser?.close();
  await env?.close();
});

// setPolicy submits the settings page's MFA form.
async function setPolicy(page, policy) {
  await page.goto(`${env.url}/console/settings`);
  await page.locator(`input[name="policy"][value="${policy}"]`).check();
  await page.locator('form[action="/console/settings/mfa"] button[type="submit"]').click();
  await page.locator('p.notice').waitFor();
}

test('the overview draws sign-ins and failures per day, with the numbers in a table', async () => {
  // A failed sign-in today.
  const other = await newPage(browser);
  await other.goto(`${env.url}/login`);
  await signIn(other, env.user.username, 'not the password');
  await other.locator('#password-error').waitFor();
  await other.context().close();

  await page.goto(`${env.url}/console/`);
  const chart = page.locator('svg.chart');
  assert.equal(await chart.getAttribute('role'), 'img');
  assert.match(await chart.locator('title').textContent(), /Sign-ins and failed sign-ins per day/);
  assert.ok(await chart.locator('rect').count() >= 2, 'no bars');
  const today = new Date().toISOString().slice(0, 10);
  const row = page.locator('details.chart-data tr', { has: page.locator(`th:text-is("${today}")`) });
  const [signIns, failures] = (await row.locator('td').allTextContents()).map(Number);
  assert.ok(signIns >= 1, `sign-ins today: ${signIns}`);
  assert.ok(failures >= 1, `failures today: ${failures}`);
  assert.equal(await page.locator('details.chart-data tbody tr').count(), 14);
  assert.deepEqual(page.problems, []);
});

test('the pool MFA policy is saved and the audit trail filters, pages and exports it', async () => {
  await setPolicy(page, 'optional');
  await page.reload();
  assert.equal(await page.locator('input[name="policy"]:checked').getAttribute('value'), 'optional');
  assert.match(await page.locator('p.notice').innerText(), /The MFA policy was saved/);
  // More saves, alternating, for more than a page of mfa.policy events:
  // 54 in all, the last from optional to off.
  for (let i = 0; i < 53; i++) await setPolicy(page, i % 2 === 0 ? 'off' : 'optional');
  await page.goto(`${env.url}/console/settings`);
  assert.equal(await page.locator('input[name="policy"]:checked').getAttribute('value'), 'off');

  await page.goto(`${env.url}/console/audit`);
  await page.getByLabel('Event type').selectOption('mfa.policy');
  await page.getByRole('button', { name: 'Filter' }).click();
  assert.equal(new URL(page.url()).searchParams.get('type'), 'mfa.policy');
  const types = async () => page.locator('tbody td:nth-child(2)').allTextContents();
  const first = await types();
  assert.equal(first.length, 50);
  assert.ok(first.every((t) => t === 'mfa.policy'), first.join());
  assert.match(await page.locator('tbody tr').first().locator('td.detail').innerText(), /^optional -> off \(console\)$/);
  await page.getByRole('link', { name: 'Next page' }).click();
  const second = await types();
  assert.equal(second.length, 4);
  assert.ok(second.every((t) => t === 'mfa.policy'), second.join());
  assert.match(await page.locator('tbody tr').last().locator('td.detail').innerText(), /^off -> optional \(console\)$/);
  assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 0);
  await page.getByRole('link', { name: 'First page' }).click();
  assert.equal(new URL(page.url()).searchParams.get('after'), null);
  assert.equal(new URL(page.url()).searchParams.get('type'), 'mfa.policy');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^genauth-audit-\d{8}-\d{6}\.csv$/);
  const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'time,type,user_id,client_id,ip,detail');
  assert.equal(lines.length, 1 + 54);
  assert.match(lines[1], /^\d{4}-\d\d-\d\dT[^,]+Z,mfa\.policy,,,[^,]*,optional -> off \(console\)$/);
  assert.deepEqual(page.problems, []);
});

test('a test email from the settings reaches the mailbox', async (t) => {
  await page.goto(`${env.url}/console/settings`);
  const field = page.getByLabel('Send a test email to');
  if (await field.count() === 0) {
    t.skip('the server gives the console no Notify (console.Config.Notify): email shows as not configured');
    return;
  }
  const to = 'console-test@example.com';
  await field.fill('not an address');
  await page.getByRole('button', { name: 'Send test email' }).click();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.equal(await field.inputValue(), 'not an address');
  await field.fill(to);
  await page.getByRole('button', { name: 'Send test email' }).click();
  assert.match(await page.locator('p.notice').innerText(), /The test email was queued/);
  const r = await fetch(`${env.messages_url}?to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200, 'the test email did not arrive');
  assert.deepEqual(page.problems, []);
});

for (const lang of ['en', 'zh-CN']) {
  for (const [name, path] of [['overview', '/console/'], ['audit', '/console/audit'], ['settings', '/console/settings']]) {
    test(`console ${name} (${lang}) is accessible at phone and desktop width`, async () => {
      await page.goto(`${env.url}${path}?lang=${lang}`);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      // The chart's numbers are in a closed disclosure: open, they are checked too.
      if (name === 'overview') await page.locator('details.chart-data summary').click();
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        await page.setViewportSize(viewport);
        assert.deepEqual(await axeViolations(page), [], `${name} (${lang}, ${size})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} (${lang}, ${size}) scrolls sideways by ${overflow}px`);
        if (shots && lang === 'en' && size === 'desktop') {
          await page.screenshot({ path: join(shots, `console-${name}.png`), fullPage: true });
        }
      }
      await page.setViewportSize(DESKTOP);
      assert.deepEqual(page.problems, []);
    });
  }
}
