// The console's identity providers and signing keys in Chromium, as the
// administrator "idps": the seeded OpenID Connect connection checks out
// against the upstream GenAuth; a new LDAP directory at a dead port fails its
// check readably, appears on an application's sign-in page once enabled there
// and leaves it when disabled, then is deleted; rotating the signing keys
// adds a key to the published key set. Every page passes axe in both
// languages at phone and desktop width, without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startEnv, launch, newPage, authorizeURL, axeViolations, consoleSignIn, PHONE, DESKTOP,
} from './lib.mjs';

let env;
let browser;
let page;
const shots = process.env.GENAUTH_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

// One console session for the whole file: a second factor's code counts
// once per time step, so signing in again at once would be refused.
before(async () => {
  env = await startEnv();
  browser = await launch();
  page = await newPage(browser);
  await consoleSignIn(env, page, 'idps');
});
after(async () => {
  await browser?.close();
  await env?.close();
});

// notice is the console's status line after a change.
const notice = () => page.locator('p.notice').innerText();

// providerPath opens the identity providers' list and returns the path of
// the provider named name.
async function providerPath(name) {
  await page.goto(`${env.url}/console/idps`);
  return page.getByRole('link', { name, exact: true }).getAttribute('href');
}

// The buttons of upstream connections on an application's sign-in page.
async function signInButtons(app) {
  const other = await browser.newContext();
  const p = await other.newPage();
  await p.goto(authorizeURL(env, app).url);
  assert.equal(new URL(p.url()).pathname, '/login');
  const buttons = await p.locator('a.idp').allInnerTexts();
  await other.close();
  return buttons;
}

test('identity providers: check, create a directory, enable it for an application, disable it, delete it', async () => {
  // The seeded OpenID Connect connection: its redirect URI, and a check
  // that reads the upstream's discovery document.
  await page.goto(`${env.url}${await providerPath('Corp SSO')}`);
  assert.equal(await page.locator('code.idps-uri').innerText(),
    `${env.url}/connections/${env.upstream.connection}/callback`);
  await page.getByRole('button', { name: 'Check Corp SSO' }).click();
  assert.match(await page.locator('p[role="status"]').innerText(), /^The provider answered/);
  assert.equal(await page.locator('p.notice').count(), 1);

  // A new LDAP directory at a port nothing listens on.
  await page.goto(`${env.url}/console/idps`);
  await page.getByRole('link', { name: 'LDAP', exact: true }).click();
  await page.locator('#f-display_name').fill('Branch Directory');
  await page.getByRole('button', { name: 'Create' }).click();
  assert.equal(await page.locator('#f-url').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#f-url-error').innerText(), 'Required.');
  await page.locator('#f-url').fill('ldap://127.0.0.1:1');
  await page.locator('#f-base_dn').fill('ou=people,dc=branch,dc=example');
  await page.locator('#f-timeout').fill('2');
  await page.getByRole('button', { name: 'Create' }).click();
  assert.equal(await notice(), 'Provider created.');
  const provider = new URL(page.url()).pathname;
  assert.match(await page.locator('h1').innerText(), /Branch Directory/);

  await page.getByRole('button', { name: 'Check Branch Directory' }).click();
  assert.match(await page.locator('p.alert[role="status"]').innerText(), /could not be reached/);
  assert.match(await page.locator('pre.idps-detail').innerText(), /127\.0\.0\.1:1/);

  // Enabled for "Acme Notes", its sign-in page offers it.
  await page.goto(`${env.url}${provider}`);
  await page.getByRole('link', { name: 'Applications Branch Directory' }).click();
  await page.getByRole('checkbox', { name: new RegExp(`^${env.apps.first.name}`) }).check();
  await page.getByRole('button', { name: 'Save' }).click();
  assert.equal(await notice(), 'Applications saved.');
  assert.match(await page.locator('.idps-conn').innerText(), new RegExp(env.apps.first.name));
  assert.ok((await signInButtons('first')).includes('Sign in with Branch Directory'));

  await page.getByRole('link', { name: 'Applications Branch Directory' }).click();
  await page.getByRole('checkbox', { name: new RegExp(`^${env.apps.first.name}`) }).uncheck();
  await page.getByRole('button', { name: 'Save' }).click();
  assert.equal(await notice(), 'Applications saved.');
  assert.ok(!(await signInButtons('first')).includes('Sign in with Branch Directory'));

  // Deleting the connection, then the provider, each after a confirmation.
  await page.getByRole('link', { name: 'Delete Branch Directory' }).click();
  await page.getByRole('button', { name: 'Delete the connection' }).click();
  assert.equal(await notice(), 'Connection deleted.');
  await page.getByRole('link', { name: 'Delete this provider' }).click();
  await page.getByRole('button', { name: 'Delete the provider' }).click();
  assert.equal(await notice(), 'Provider deleted.');
  assert.equal(await page.getByRole('link', { name: 'Branch Directory' }).count(), 0);
  assert.deepEqual(page.problems, []);
});

test('signing keys: rotating adds the new key to the published key set', async () => {
  const jwks = async () => {
    const r = await fetch(`${env.url}/oidc/.well-known/jwks.json`);
    assert.equal(r.status, 200);
    return (await r.json()).keys.map((k) => k.kid);
  };
  const before = await jwks();
  await page.goto(`${env.url}/console/keys`);
  const kid = (state) => page.locator('tbody tr', { has: page.locator(`.keys-${state}`) })
    .filter({ has: page.getByRole('cell', { name: 'RS256', exact: true }) }).locator('code').innerText();
  const activeRS = () => kid('active');
  const nextRS = () => kid('next');
  const [wasActive, wasNext] = [await activeRS(), await nextRS()];
  assert.ok(before.includes(wasActive) && before.includes(wasNext));

  await page.getByRole('link', { name: 'Rotate now' }).click();
  assert.match(await page.locator('main').innerText(), /keep verifying/);
  await page.getByRole('button', { name: 'Rotate the keys now' }).click();
  assert.equal(await notice(), 'Signing keys rotated.');
  assert.equal(await activeRS(), wasNext);
  const after = await jwks();
  const added = after.filter((kid) => !before.includes(kid));
  assert.equal(added.length, 1, `key set before ${before}, after ${after}`);
  assert.equal(added[0], await nextRS());
  assert.ok(after.includes(wasActive), 'the retired key left the key set at once');
  assert.deepEqual(page.problems, []);
});

test('every page passes axe in both languages at phone and desktop width', async () => {
  const sso = await providerPath('Corp SSO');
  const directory = await providerPath('Corp Directory');
  await page.goto(`${env.url}${sso}`);
  const conn = await page.getByRole('link', { name: 'Edit Corp SSO' }).getAttribute('href');
  // Pages reached by a link, and pages that answer a form.
  const pages = {
    list: '/console/idps',
    provider: sso,
    directory,
    'new-oidc': '/console/idps/new?kind=oidc',
    'new-oauth2': '/console/idps/new?kind=oauth2',
    'new-ldap': '/console/idps/new?kind=ldap',
    'new-ad': '/console/idps/new?kind=ad',
    'new-github': '/console/idps/new?kind=github',
    'new-google': '/console/idps/new?kind=google',
    edit: conn,
    apps: `${conn}/apps`,
    'delete-conn': `${conn}/delete`,
    'delete-provider': `${sso}/delete`,
    keys: '/console/keys',
    rotate: '/console/keys/rotate',
  };
  const forms = {
    // The form again with its fields' errors.
    invalid: async () => {
      await page.goto(`${env.url}/console/idps/new?kind=oauth2`);
      await page.getByRole('button', { name: /Create|创建/ }).click();
    },
    check: async () => {
      await page.goto(`${env.url}${directory}`);
      await page.getByRole('button', { name: /Check|检测/ }).click();
    },
  };
  for (const viewport of [PHONE, DESKTOP]) {
    await page.setViewportSize(viewport);
    for (const lang of ['en', 'zh-CN']) {
      const visits = [
        ...Object.entries(pages).map(([name, path]) => [name, () => page.goto(`${env.url}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)]),
        ...Object.entries(forms),
      ];
      for (const [name, visit] of visits) {
        await visit();
        const where = `${name} (${lang}, ${viewport.width}px)`;
        assert.equal(await page.locator('html').getAttribute('lang'), lang, where);
        assert.deepEqual(await axeViolations(page), [], where);
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), `${where} scrolls sideways`);
        if (shots && viewport === DESKTOP && lang === 'en' && (name === 'provider' || name === 'keys')) {
          await page.screenshot({ path: join(shots, `console-${name === 'keys' ? 'keys' : 'idps'}.png`), fullPage: true });
        }
      }
    }
  }
  assert.deepEqual(page.problems, []);
});
