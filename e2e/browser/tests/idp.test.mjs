// Signing in with an upstream identity provider in Chromium: a second GenAuth
// (env.upstream) is the "sso" application's OpenID Connect provider. The first
// sign-in creates the account; the account page lists and unlinks the
// identity; the next sign-in offers to link the account with the same verified
// email; a changed state and an unreachable directory end on readable pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startEnv, launch, newPage, authorizeURL, callback, exchange, upstreamSignIn, PHONE,
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

const claims = (idToken) => JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url'));

test('sign in through the upstream provider, unlink, and link again by the verified email', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  const first = authorizeURL(env, 'sso', { prefix: 'oidc' });
  await page.goto(first.url);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.deepEqual(await page.locator('a.idp').allInnerTexts(), ['Sign in with Corp SSO', 'Sign in with Corp Directory']);
  await upstreamSignIn(env, page);
  const tokens = await exchange(env, 'sso', callback(env, page, first.state).get('code'), 'oidc');
  const c = claims(tokens.id_token);
  assert.deepEqual(c.amr, ['fed']);
  assert.equal(c.email, env.upstream.user.email);
  assert.equal(c.email_verified, true);

  // The account page lists the identity and unlinks it: the verified email
  // is another way in.
  await page.goto(`${env.url}/account`);
  const linked = page.locator('ul.identities');
  assert.match(await linked.innerText(), /Corp SSO/);
  await linked.getByRole('button', { name: 'Unlink Corp SSO' }).click();
  await page.waitForURL((u) => u.pathname === '/account');
  assert.equal(await page.locator('ul.identities').count(), 0);

  // Signing in through the provider again meets the account by its email:
  // the user confirms the link, and is the same user.
  await page.goto(`${env.url}/connections/${env.upstream.connection}/start?return_to=${encodeURIComponent('/account')}`);
  await page.waitForURL((u) => u.pathname === '/connections/link');
  await page.getByRole('button', { name: /Link/ }).click();
  await page.waitForURL((u) => u.pathname === '/account');
  assert.match(await page.locator('ul.identities').innerText(), /Corp SSO/);

  const again = authorizeURL(env, 'sso', { prefix: 'oidc' });
  await page.goto(again.url);
  const second = await exchange(env, 'sso', callback(env, page, again.state).get('code'), 'oidc');
  assert.equal(claims(second.id_token).sub, c.sub);
  assert.deepEqual(page.problems, []);
});

test('a changed state is refused with a page, and signs nobody in', async () => {
  const page = await newPage(browser);
  await page.goto(authorizeURL(env, 'sso').url);
  await page.locator(`a.idp[href^="/connections/${env.upstream.connection}/start"]`).click();
  await page.waitForURL((u) => u.origin === env.upstream.url && u.pathname === '/login');
  // The upstream's sign-in page holds the authorization request, and in it the state.
  const request = new URL(new URL(page.url()).searchParams.get('return_to'), env.upstream.url);
  const state = request.searchParams.get('state');
  assert.ok(state);
  const back = `${env.url}/connections/${env.upstream.connection}/callback`;
  const changed = await page.goto(`${back}?code=any&state=${encodeURIComponent(`${state}x`)}`);
  assert.equal(changed.status(), 403);
  assert.equal(await page.locator('h1').innerText(), 'Sign-in refused');
  await page.goto(`${env.url}/account`);
  assert.equal(new URL(page.url()).pathname, '/login');
});

test('a directory that does not answer gives the form again with a message (502), in Chinese too', async () => {
  const page = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(authorizeURL(env, 'sso').url);
  assert.deepEqual(await page.locator('a.idp').allInnerTexts(), ['使用 Corp SSO 登录', '使用 Corp Directory 登录']);
  await page.locator(`a.idp[href^="/connections/${env.upstream.directory}/ldap"]`).click();
  await page.locator('#username').fill('alice');
  await page.locator('#password').fill('directory password');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator(`form[action^="/connections/${env.upstream.directory}/ldap"] button[type="submit"]`).click(),
  ]);
  assert.equal(resp.status(), 502);
  assert.equal(await page.locator('#password').inputValue(), '');
  assert.deepEqual(page.problems, []);
});
