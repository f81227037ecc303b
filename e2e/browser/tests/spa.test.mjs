// A single-page app in Chromium (issue 13 item 14): from the stand-in
// application's origin, a public client reads discovery and JWKS, redeems
// its code with PKCE at the token endpoint, reads userinfo with a Bearer
// token (a preflighted request) and revokes the token, all with fetch; a
// page on an origin no application lists can read none of the client answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startEnv, launch, newPage, authorizeURL, signIn, callback } from './lib.mjs';

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

// calls runs, in the page, the fetches a single-page app makes after the
// redirect back with a code.
function calls({ idp, clientID, redirectURI, code, verifier }) {
  const read = async (resp) => ({ status: resp.status, body: await resp.json() });
  return (async () => {
    const discovery = await read(await fetch(`${idp}/oidc/.well-known/openid-configuration`));
    const jwks = await read(await fetch(discovery.body.jwks_uri));
    const token = await read(await fetch(discovery.body.token_endpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: redirectURI, client_id: clientID, code_verifier: verifier,
      }),
    }));
    const bearer = { Authorization: `Bearer ${token.body.access_token}` };
    const userinfo = await read(await fetch(discovery.body.userinfo_endpoint, { headers: bearer }));
    const revoked = await read(await fetch(discovery.body.revocation_endpoint, {
      method: 'POST',
      body: new URLSearchParams({ token: token.body.access_token, client_id: clientID }),
    }));
    const after = await fetch(discovery.body.userinfo_endpoint, { headers: bearer });
    return {
      discovery, jwks, token, userinfo, revoked,
      after: { status: after.status, challenge: after.headers.get('WWW-Authenticate') },
    };
  })();
}

test('a single-page app calls discovery, JWKS, token, userinfo and revocation from its own origin', async () => {
  const page = await newPage(browser);
  const verifier = randomBytes(32).toString('base64url');
  const { url, state } = authorizeURL(env, 'spa', { prefix: 'oidc', scope: 'openid profile' });
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  await page.goto(`${url}&code_challenge=${challenge}&code_challenge_method=S256`);
  await signIn(page, env.user.username, env.user.password);
  await page.waitForURL((u) => u.pathname === '/callback');
  const code = callback(env, page, state).get('code');

  const got = await page.evaluate(calls, {
    idp: env.url, clientID: env.apps.spa.client_id, redirectURI: `${env.app_url}/callback`, code, verifier,
  });
  assert.equal(got.discovery.body.issuer, `${env.url}/oidc`);
  assert.ok(got.jwks.body.keys.length > 0);
  assert.equal(got.token.status, 200, JSON.stringify(got.token.body));
  assert.match(got.token.body.id_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(got.userinfo.status, 200);
  assert.equal(got.userinfo.body.name, env.user.name);
  assert.equal(typeof got.userinfo.body.updated_at, 'number');
  assert.equal(got.revoked.body, true);
  // The 401 after revocation is readable too, with its challenge.
  assert.equal(got.after.status, 401);
  assert.match(got.after.challenge, /^Bearer realm="genauth", error="invalid_token"$/);
  // The 401 is expected; nothing else went wrong.
  assert.deepEqual(page.problems.filter((p) => !p.endsWith(': 401')), []);
});

test('a page on an origin no application lists cannot read the client endpoints', async () => {
  const page = await newPage(browser);
  // The stand-in again, under another name: another origin, which no application lists.
  const elsewhere = new URL(env.app_url);
  elsewhere.hostname = 'localhost';
  await page.goto(`${elsewhere.origin}/signed-out`);
  const got = await page.evaluate(async ({ idp, clientID }) => {
    const attempt = async (url, init) => {
      try {
        const resp = await fetch(url, init);
        return `read ${resp.status}`;
      } catch (e) {
        return 'refused';
      }
    };
    return {
      discovery: await attempt(`${idp}/oidc/.well-known/openid-configuration`),
      token: await attempt(`${idp}/oidc/token`, {
        method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', client_id: clientID }),
      }),
      userinfo: await attempt(`${idp}/oidc/me`, { headers: { Authorization: 'Bearer x' } }),
    };
  }, { idp: env.url, clientID: env.apps.spa.client_id });
  assert.deepEqual(got, { discovery: 'read 200', token: 'refused', userinfo: 'refused' });
});
