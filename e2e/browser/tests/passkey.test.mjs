// Passkeys on the hosted pages in Chromium, with a virtual authenticator of
// the DevTools protocol: add one on the account page, sign in with it
// without a password (by its button and from the login field's autofill),
// use it as the second step after a password, remove it. A passkey that
// does not verify the user (one factor, then a second) is tested in Go:
// Chromium refuses to use a discoverable credential without verifying the
// user, whatever the virtual authenticator. They run against
// the environment's passkey_url (http://localhost:PORT): browsers refuse an
// IP address as the relying party.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startEnv, launch, newPage, authorizeURL, signIn, callback, exchange, virtualAuthenticator, addPasskey, PHONE,
} from './lib.mjs';

let env;
let pk; // the environment as seen at passkey_url
let browser;
before(async () => {
  env = await startEnv();
  pk = { ...env, url: env.passkey_url };
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await env?.close();
});

const password = 'a long passphrase';

// registerUser signs a new user up at passkey_url (and so in).
async function registerUser(page, name) {
  await page.goto(`${pk.url}/register`);
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

async function signOut(page) {
  await page.goto(`${pk.url}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/');
}

// amr is the amr claim of the id token an OpenID Connect sign-in that
// reached the callback got.
async function amr(page, state) {
  const q = callback(pk, page, state);
  const tokens = await exchange(pk, 'first', q.get('code'), 'oidc');
  return JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString()).amr;
}

function oidc() {
  return authorizeURL(pk, 'first', { prefix: 'oidc', nonce: 'n' });
}

test('add a passkey, sign in with it without a password, use it after a password, remove it', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  // Chromium answers the login field's conditional request at once from a
  // virtual authenticator (the next test): here, as in a browser without
  // conditional UI, only the button may.
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await registerUser(page, 'pia-passkey');
  await signOut(page);
  await page.goto(`${pk.url}/login?return_to=%2Faccount`);
  await signIn(page, 'pia-passkey', password);
  await page.waitForURL((u) => u.pathname === '/account');

  // The account page: the passkey form appears with the script.
  await page.goto(`${pk.url}/account`);
  assert.equal(await page.getByRole('heading', { name: 'Passkeys' }).count(), 1);
  assert.match(await page.locator('#passkeys ~ p').first().innerText(), /fingerprint/);
  const recovery = await addPasskey(page, pk.url, 'Test laptop');
  assert.equal(recovery.length, 10, 'a first factor comes with recovery codes');
  assert.match(await page.locator('[role="status"]').innerText(), /The passkey is added/);
  assert.match(await page.locator('ul.passkeys').innerText(), /Test laptop[\s\S]*never used/);
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true, 'the passkey is discoverable');

  // Passwordless, by the button: both factors at once.
  await signOut(page);
  let { url, state } = oidc();
  await page.goto(url);
  assert.equal(await page.locator('#username').getAttribute('autocomplete'), 'username webauthn');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL((u) => u.origin === env.app_url);
  assert.deepEqual(await amr(page, state), ['hwk', 'user', 'mfa']);
  await page.goto(`${pk.url}/account`);
  assert.doesNotMatch(await page.locator('ul.passkeys').innerText(), /never used/);

  // After a password, the passkey is the second step.
  await signOut(page);
  ({ url, state } = oidc());
  await page.goto(url);
  await signIn(page, 'pia-passkey', password);
  await page.waitForURL((u) => u.pathname === '/login/mfa');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await page.waitForURL((u) => u.origin === env.app_url);
  assert.deepEqual(await amr(page, state), ['hwk', 'pwd', 'mfa']);

  // Removed with a plain form; the authenticator's copy no longer signs in.
  await page.goto(`${pk.url}/account`);
  await page.getByRole('button', { name: 'Remove passkey Test laptop' }).click();
  assert.match(await page.locator('[role="status"]').innerText(), /The passkey is removed/);
  assert.match(await page.locator('#passkeys ~ p').nth(1).innerText(), /You have no passkeys/);
  await signOut(page);
  await page.goto(`${pk.url}/login`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.locator('#form-error').waitFor();
  assert.match(await page.locator('#form-error').innerText(), /This passkey was not accepted/);
  assert.equal(new URL(page.url()).pathname, '/passkey/login/finish');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the login field offers the passkey in its autofill (conditional UI)', async () => {
  const page = await newPage(browser);
  await virtualAuthenticator(page);
  await registerUser(page, 'conny-passkey');
  await addPasskey(page, pk.url, 'Phone');
  assert.equal(await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable()), true);
  await signOut(page);

  // The script starts a conditional request as the page loads. A person
  // picks the passkey in the login field's autofill; headless Chromium
  // shows no autofill, and with a virtual authenticator it answers the
  // request itself with the one passkey, so nothing is clicked here.
  const { url, state } = authorizeURL(pk, 'first');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForURL((u) => u.origin === env.app_url, { timeout: 10000 });
  callback(pk, page, state);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('without JavaScript no passkey button shows and the password still signs in', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${pk.url}/login`);
  assert.equal(await page.getByRole('button', { name: 'Sign in with a passkey' }).count(), 0);
  await signIn(page, env.user.username, env.user.password);
  await page.waitForURL((u) => u.pathname === '/');
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);
  await context.close();
});

test('without passkeys (the IP address URL) the pages show none', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  assert.equal(await page.locator('form[data-passkey]').count(), 0);
  assert.equal(await page.locator('script').count(), 0);
  assert.equal(await page.locator('#username').getAttribute('autocomplete'), 'username');
  await page.context().close();
});
