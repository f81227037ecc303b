// Signing in to the admin console in Chromium: the hosted sign-in with the
// administrator's authenticator code, then the console; someone who is not
// an administrator is refused; signing out of the console keeps the hosted
// session. The console's own pages (sign-in refusal, signed out, the first
// administrator's link, the overview) pass axe in both languages at phone
// and desktop width, without sideways scrolling or anything the CSP refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, launch, newPage, signIn, axeViolations, consoleSignIn, PHONE, DESKTOP } from './lib.mjs';

let env;
let browser;
before(async () => {
  env = await startEnv();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const shots = process.env.GENAUTH_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

// The README's pictures this file takes (the desktop overview is
// console-audit.test.mjs's).
const readmeShots = ['overview-phone', 'refused-desktop', 'refused-phone'];

// checkPage runs axe on the page as it is in both languages at phone and
// desktop width.
async function checkPage(page, name) {
  const url = new URL(page.url());
  for (const lang of ['en', 'zh-CN']) {
    for (const [width, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
      await page.setViewportSize(viewport);
      url.searchParams.set('lang', lang);
      await page.goto(url.href);
      assert.deepEqual(await axeViolations(page), [], `${name} ${lang} ${width}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${name} ${lang} ${width} scrolls sideways by ${overflow}px`);
      if (shots && lang === 'en' && readmeShots.includes(`${name}-${width}`)) {
        await page.screenshot({ path: join(shots, `console-${name}-${width}.png`), fullPage: true });
      }
    }
  }
  url.searchParams.set('lang', 'en');
  await page.goto(url.href);
  assert.deepEqual(page.problems, []);
}

test('an administrator signs in with the second factor, and out of the console only', async () => {
  const page = await newPage(browser);
  await consoleSignIn(env, page, 'console', '/console/');
  assert.equal(await page.locator('h1').innerText(), 'Overview');
  assert.equal(await page.locator('nav.sections a[aria-current="page"]').innerText(), 'Overview');
  await checkPage(page, 'overview');

  await page.getByRole('button', { name: 'Sign out of the console' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Signed out of the console');
  await checkPage(page, 'signed-out');
  // The hosted session lives on: signing in to the console again needs no password.
  await page.goto(`${env.url}/console/?lang=en`);
  assert.equal(new URL(page.url()).search, '?lang=en');
  assert.equal(await page.locator('h1').innerText(), 'Overview');
  await page.goto(`${env.url}/`);
  assert.match(await page.locator('main').innerText(), new RegExp(env.admins.console.username));
});

test('someone who is not an administrator is refused', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/console/`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await signIn(page, env.user.username, env.user.password);
  // The role is checked before any second factor is asked for.
  assert.equal(new URL(page.url()).pathname, '/console/signin');
  assert.equal(await page.locator('h1').innerText(), 'Not an administrator');
  assert.equal((await page.reload()).status(), 403);
  await checkPage(page, 'refused');
});

test('a wrong first administrator link says so', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/console/bootstrap?token=not-the-token`);
  assert.equal(await page.locator('h1').innerText(), 'Become the first administrator');
  await checkPage(page, 'bootstrap');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signIn(page, env.user.username, env.user.password);
  assert.equal(new URL(page.url()).pathname, '/console/bootstrap');
  const answer = page.waitForResponse((r) => r.url().endsWith('/console/bootstrap') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Make this account the administrator' }).click();
  assert.equal((await answer).status(), 400);
  assert.equal(await page.locator('h1').innerText(), 'This link does not work');
  assert.deepEqual(await axeViolations(page), []);
});
