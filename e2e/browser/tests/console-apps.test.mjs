// The console's applications pages in Chromium: an application created in
// the console is signed in to through the code flow with the secret the
// console showed once; the secret is rotated (the old one refused, the new
// one working), its users signed out, its settings changed, and it is
// deleted. Every page passes axe in both languages at phone and desktop
// width, without sideways scrolling or anything refused by the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startEnv, launch, newPage, signIn, callback, axeViolations, consoleSignIn, PHONE, DESKTOP,
} from './lib.mjs';

let env;
let browser;
// admin is the one browser signed in to the console: each sign-in of the
// seeded administrator waits for a fresh authenticator code.
let admin;
before(async () => {
  env = await startEnv();
  browser = await launch();
  admin = await newPage(browser);
  await consoleSignIn(env, admin, 'apps');
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const shots = process.env.GENAUTH_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

// adminPage is the administrator's page at this width, with no problems yet.
async function adminPage(viewport = DESKTOP) {
  await admin.setViewportSize(viewport);
  admin.problems = [];
  return admin;
}

// createApp fills the console's new-application form and returns the app
// id and the secret the page shows once.
async function createApp(page, name, settings = async () => {}) {
  await page.goto(`${env.url}/console/apps`);
  await page.getByRole('link', { name: 'New application' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Login callback URLs').fill(`${env.app_url}/callback`);
  await settings(page);
  await page.getByRole('button', { name: 'Create the application' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Application created');
  return { id: await page.locator('#app-id').innerText(), secret: await page.locator('#app-secret').innerText() };
}

let flows = 0;
// authorize runs the code flow of the application in the user's browser
// (signing in when asked) and returns the code.
async function authorize(page, appId) {
  const state = `console-${++flows}`;
  const q = new URLSearchParams({
    client_id: appId, redirect_uri: `${env.app_url}/callback`, response_type: 'code', scope: 'openid profile',
    state, nonce: `n${flows}`,
  });
  await page.goto(`${env.url}/oidc/auth?${q}`);
  if (new URL(page.url()).pathname === '/login') await signIn(page, env.user.username, env.user.password);
  await page.waitForURL((u) => u.origin === env.app_url);
  return callback(env, page, state).get('code');
}

// token redeems a code as the application's back end would.
async function token(appId, secret, code) {
  const resp = await fetch(`${env.url}/oidc/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: `${env.app_url}/callback`, client_id: appId, client_secret: secret,
    }),
  });
  return { status: resp.status, body: await resp.json() };
}

async function userinfo(accessToken) {
  const resp = await fetch(`${env.url}/oidc/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return resp.status;
}

test('create an application, sign in to it with the secret shown once, rotate the secret, sign its users out, change it, delete it', async () => {
  await adminPage();
  const app = await createApp(admin, 'Console Notes');
  assert.match(app.secret, /\S{20,}/);
  assert.match(await admin.locator('.alert').innerText(), /shown only this once/);

  const user = await newPage(browser);
  const first = await token(app.id, app.secret, await authorize(user, app.id));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.ok(first.body.id_token);
  assert.equal(await userinfo(first.body.access_token), 200);

  // The secret is not shown again on the application's page.
  await admin.getByRole('link', { name: 'Continue to the application' }).click();
  assert.equal(await admin.locator('h1').innerText(), 'Console Notes');
  assert.equal(await admin.getByText(app.secret).count(), 0);

  await admin.getByRole('link', { name: 'Rotate the secret' }).click();
  assert.match(await admin.locator('main p').first().innerText(), /Give Console Notes a new secret\?/);
  await admin.getByRole('button', { name: 'Rotate the secret' }).click();
  assert.equal(await admin.locator('h1').innerText(), 'New secret');
  const secret = await admin.locator('#app-secret').innerText();
  assert.notEqual(secret, app.secret);

  const old = await token(app.id, app.secret, await authorize(user, app.id));
  assert.equal(old.status, 401, JSON.stringify(old.body));
  assert.equal(old.body.error, 'invalid_client');
  const fresh = await token(app.id, secret, await authorize(user, app.id));
  assert.equal(fresh.status, 200, JSON.stringify(fresh.body));

  await admin.getByRole('link', { name: 'Continue to the application' }).click();
  await admin.getByRole('link', { name: 'Sign out all users' }).click();
  await admin.getByRole('button', { name: 'Sign out all users' }).click();
  assert.equal(await admin.getByRole('status').innerText(), 'Every token of the application was revoked.');
  assert.equal(await userinfo(fresh.body.access_token), 401);

  // A change: registration closed through this application.
  await admin.getByLabel('Registration closed').check();
  await admin.getByLabel('Access token lifetime (seconds)').fill('900');
  await admin.getByRole('button', { name: 'Save' }).click();
  assert.equal(await admin.getByRole('status').innerText(), 'The settings were saved.');
  assert.ok(await admin.getByLabel('Registration closed').isChecked());
  assert.equal(await admin.getByLabel('Access token lifetime (seconds)').inputValue(), '900');

  // Found by a search, then deleted.
  await admin.goto(`${env.url}/console/apps`);
  await admin.getByLabel('Search by name, identifier or app ID').fill('console notes');
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('link', { name: 'Console Notes' }).click();
  await admin.getByRole('link', { name: 'Delete' }).click();
  assert.equal(await admin.locator('main p').first().innerText(), 'Delete Console Notes?');
  await admin.getByRole('button', { name: 'Delete the application' }).click();
  assert.equal(new URL(admin.url()).pathname, '/console/apps');
  assert.equal(await admin.getByRole('status').innerText(), 'The application was deleted.');
  assert.equal(await admin.getByRole('link', { name: 'Console Notes' }).count(), 0);
  const gone = await token(app.id, secret, 'any');
  assert.equal(gone.status, 401);

  assert.deepEqual(admin.problems, []);
  assert.deepEqual(user.problems, []);
});

test('a refused form shows each problem at its field and keeps what was entered', async () => {
  const page = await adminPage(PHONE);
  await page.goto(`${env.url}/console/apps/new`);
  await page.getByLabel('Description').fill('kept');
  await page.getByLabel('Login callback URLs').fill('not a url');
  await page.getByLabel('ID token lifetime (seconds)').fill('soon');
  await page.getByRole('button', { name: 'Create the application' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Correct the marked fields/);
  assert.equal(await page.locator('#f-name-error').innerText(), 'Give the application a name.');
  assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#f-redirect_uris-error').innerText(), /absolute URL/);
  assert.equal(await page.getByLabel('ID token lifetime (seconds)').inputValue(), 'soon');
  assert.equal(await page.getByLabel('Description').inputValue(), 'kept');

  // A rule only the service knows comes back with its message.
  await page.getByLabel('Name', { exact: true }).fill('Machine');
  await page.getByLabel('Login callback URLs').fill('');
  await page.getByLabel('ID token lifetime (seconds)').fill('3600');
  await page.getByLabel('Authorization code').uncheck();
  await page.getByLabel('Refresh token', { exact: true }).uncheck();
  await page.getByLabel('Client credentials', { exact: true }).check();
  await page.getByLabel('Client authentication at the token endpoint').selectOption('none');
  await page.getByRole('button', { name: 'Create the application' }).click();
  assert.match(await page.getByRole('alert').innerText(), /client_credentials needs a confidential client/);
  assert.deepEqual(page.problems, []);
});

// pagesOf returns the console's applications pages of an application (its
// secret page needs a post, so the caller opens it).
function pagesOf(appId) {
  return [
    ['list', '/console/apps'],
    ['search', '/console/apps?q=axe'],
    ['new', '/console/apps/new'],
    ['app', `/console/apps/${appId}`],
    ['rotate', `/console/apps/${appId}/secret`],
    ['signout', `/console/apps/${appId}/signout`],
    ['delete', `/console/apps/${appId}/delete`],
  ];
}

async function check(page, label) {
  assert.deepEqual(await axeViolations(page), [], label);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${label}: scrolls sideways`);
}

test('every applications page passes axe in both languages at phone and desktop width', async () => {
  const app = await createApp(await adminPage(), 'Axe Check', async (page) => {
    await page.getByLabel('Web origins').fill('https://axe.example');
  });
  for (const viewport of [PHONE, DESKTOP]) {
    const page = await adminPage(viewport);
    for (const lang of ['en', 'zh-CN']) {
      for (const [name, path] of pagesOf(app.id)) {
        await page.goto(`${env.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
        await check(page, `${name} ${lang} ${viewport.width}`);
        if (shots && name === 'list' && lang === 'en' && viewport === DESKTOP) {
          await page.screenshot({ path: join(shots, 'console-apps.png'), fullPage: true });
        }
      }
      // The form refused, and the secret shown once.
      await page.goto(`${env.url}/console/apps/new?lang=${lang}`);
      await page.locator('#f-access_ttl').fill('x');
      await page.locator('form[action="/console/apps"] button[type="submit"]').click();
      await check(page, `refused ${lang} ${viewport.width}`);
      await page.goto(`${env.url}/console/apps/${app.id}/secret?lang=${lang}`);
      await page.locator(`form[action="/console/apps/${app.id}/secret"] button[type="submit"]`).click();
      await page.locator('#app-secret').waitFor();
      await check(page, `secret ${lang} ${viewport.width}`);
    }
    assert.deepEqual(page.problems, []);
  }
});
