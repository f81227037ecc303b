// The console's users pages in Chromium: an administrator finds a user by
// search, suspends them (they cannot sign in) and restores them (they can),
// resets the second factor they enrolled, sets their password and signs
// them out everywhere; every page passes axe in both languages at phone and
// desktop width, without sideways scrolling or anything the CSP refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startEnv, launch, newPage, authorizeURL, signIn, callback, axeViolations, enrollTOTP, totp, consoleSignIn,
  PHONE, DESKTOP,
} from './lib.mjs';

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

const password = 'a long passphrase';
let users = 0;

// register signs a new user up on a fresh page (and so in) and returns
// the page and the username, unlike any other test's.
async function register() {
  const page = await newPage(browser);
  const name = `console-user-${++users}-${Date.now()}`;
  await page.goto(`${env.url}/register`);
  await page.locator('#username').fill(name);
  await page.locator('#password').fill(password);
  await page.locator('#password_confirm').fill(password);
  await page.locator('form[action="/register"] > button[type="submit"]:not([hidden])').click();
  await page.waitForURL((u) => u.pathname === '/');
  return { page, name };
}

// trySignIn signs name in to the application "first" in a fresh browser
// and returns the page: at the callback, the second factor or the sign-in
// form showing why not.
async function trySignIn(name, pw = password) {
  const page = await newPage(browser);
  const { url, state } = authorizeURL(env, 'first');
  await page.goto(url);
  await signIn(page, name, pw);
  await page.waitForLoadState();
  page.state = state;
  return page;
}

// signedIn reports whether the page's browser still has a hosted session.
async function signedIn(page) {
  await page.goto(`${env.url}/account`);
  return new URL(page.url()).pathname === '/account';
}

// confirm follows the user page's link named link to its confirmation and
// confirms; the page is then back on the user's page with the notice.
async function confirm(admin, link, button) {
  await admin.getByRole('link', { name: link }).click();
  await admin.getByRole('button', { name: button }).click();
  await admin.locator('p.notice').waitFor();
}

test('find a user, suspend and restore, reset MFA, set a password, sign out everywhere', async () => {
  const { page: user, name } = await register();
  const secret = await enrollTOTP(env, user);

  const admin = await newPage(browser);
  await consoleSignIn(env, admin, 'users');
  await admin.goto(`${env.url}/console/users`);
  await admin.getByLabel('Find users').fill(name.slice(0, -3));
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('link', { name, exact: true }).click();
  assert.equal(await admin.locator('h1').innerText(), name);
  const userId = new URL(admin.url()).pathname.split('/').pop();
  assert.match(await admin.locator('#factors + *').innerText(), /Authenticator app/);

  // Suspended: signed out at once, and refused at the sign-in form.
  await confirm(admin, 'Suspend…', 'Suspend');
  assert.match(await admin.locator('p.notice').innerText(), /suspended/);
  assert.equal(await signedIn(user), false, 'the suspended user is still signed in');
  let attempt = await trySignIn(name);
  assert.equal(new URL(attempt.url()).pathname, '/login');
  assert.match(await attempt.locator('#password-error').innerText(), /suspended/);
  await attempt.context().close();

  // Restored: the password works again, then the authenticator app.
  await admin.getByRole('button', { name: 'Restore the user' }).click();
  await admin.locator('p.notice').waitFor();
  attempt = await trySignIn(name);
  assert.equal(new URL(attempt.url()).pathname, '/login/mfa');
  await attempt.getByLabel('Authenticator code').fill(totp(secret, 1));
  await attempt.getByRole('button', { name: 'Verify' }).click();
  callback(env, attempt, attempt.state);
  await attempt.context().close();

  // MFA reset: no factor left, so the next sign-in asks for none.
  await confirm(admin, 'Reset second factors…', 'Reset second factors');
  assert.match(await admin.locator('#factors ~ p.empty').first().innerText(), /no second factor/);
  attempt = await trySignIn(name);
  callback(env, attempt, attempt.state);

  // A new password: the old one is refused, the new one works; the
  // session signed in with the old one ended.
  await admin.getByRole('link', { name: 'Set a password' }).click();
  await admin.getByLabel('New password').fill('short');
  await admin.getByRole('button', { name: 'Set the password' }).click();
  assert.equal(await admin.getByLabel('New password').getAttribute('aria-invalid'), 'true');
  await admin.getByLabel('New password').fill('another long passphrase');
  await admin.getByRole('button', { name: 'Set the password' }).click();
  await admin.locator('p.notice').waitFor();
  assert.equal(await signedIn(attempt), false, 'the session from before the new password lives on');
  await attempt.context().close();
  attempt = await trySignIn(name);
  assert.equal(new URL(attempt.url()).pathname, '/login');
  await attempt.context().close();
  attempt = await trySignIn(name, 'another long passphrase');
  callback(env, attempt, attempt.state);
  assert.equal(await signedIn(attempt), true);

  // Sign out everywhere.
  await confirm(admin, 'Sign out everywhere…', 'Sign out everywhere');
  assert.equal(await signedIn(attempt), false, 'signed out everywhere, yet signed in');
  await attempt.context().close();
  await user.context().close();

  // Each change is in the audit trail, naming the administrator.
  await admin.goto(`${env.url}/console/audit?type=console.change&user=${userId}`);
  const trail = await admin.locator('main table').innerText();
  for (const what of ['suspend user', 'restore user', 'reset second factors', 'set password', 'sign user out everywhere']) {
    assert.match(trail, new RegExp(`${what} by \\w+`), what);
  }
  assert.deepEqual(admin.problems, []);
  await admin.context().close();
});

// Each users page: how to get there from the console's users list, with
// the user created for the purpose.
async function openUser(admin, name) {
  await admin.goto(`${env.url}/console/users?q=${encodeURIComponent(name)}`);
  await admin.getByRole('link', { name, exact: true }).click();
  return new URL(admin.url()).pathname;
}

test('every users page is accessible in both languages at phone and desktop width', async () => {
  const { page: user, name } = await register();
  await user.context().close();
  const pages = {
    'list': async (admin) => admin.goto(`${env.url}/console/users`),
    'search': async (admin) => admin.goto(`${env.url}/console/users?q=${encodeURIComponent(name)}`),
    'search-none': async (admin) => admin.goto(`${env.url}/console/users?q=nobody-has-this-name`),
    'user': async (admin) => openUser(admin, name),
    'new': async (admin) => admin.goto(`${env.url}/console/users/new`),
    'new-errors': async (admin) => {
      await admin.goto(`${env.url}/console/users/new`);
      await admin.locator('#email').fill('not an address');
      await admin.locator('form[action="/console/users/new"] button[type="submit"]').click();
      await admin.locator('#form-error').waitFor();
    },
    'edit': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/edit`),
    'password': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/password`),
    'send-reset': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/send-reset`),
    'suspend': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/suspend`),
    'mfa-reset': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/mfa-reset`),
    'signout': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/signout`),
    'delete': async (admin) => admin.goto(`${env.url}${await openUser(admin, name)}/delete`),
  };
  const admin = await newPage(browser);
  await consoleSignIn(env, admin, 'users');
  for (const lang of ['en', 'zh-CN']) {
    for (const [page, open] of Object.entries(pages)) {
      await admin.goto(`${env.url}/console/users?lang=${lang}`);
      await open(admin);
      assert.equal(await admin.evaluate(() => document.documentElement.lang), lang, page);
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        await admin.setViewportSize(viewport);
        assert.deepEqual(await axeViolations(admin), [], `${page} (${lang}, ${size})`);
        const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${page} (${lang}, ${size}) scrolls sideways by ${overflow}px`);
      }
      if (shots && lang === 'en' && (page === 'list' || page === 'user')) {
        await admin.setViewportSize(DESKTOP);
        await admin.screenshot({ path: join(shots, page === 'list' ? 'console-users.png' : 'console-user.png'), fullPage: true });
      }
    }
  }
  assert.deepEqual(admin.problems, []);
  await admin.context().close();
});
