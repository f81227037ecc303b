// GenAuth's Node SDK (authing-node-sdk 4.0.1) AuthenticationClient against
// the server's authentication API and token endpoints (refresh,
// introspection, revocation), with nothing changed but the host and the
// application's id and secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv, rsaEncrypt } from './lib.mjs';

const { AuthenticationClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
let client;
before(async () => {
  env = await startEnv();
  client = new AuthenticationClient({
    appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
  });
});
after(async () => {
  await env?.close();
});

function assertTokenSet(r, withRefresh) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  assert.equal(r.data.token_type, 'Bearer');
  assert.ok(r.data.access_token && r.data.id_token, JSON.stringify(r.data));
  assert.ok(r.data.expires_in > 0);
  assert.equal(r.data.expire_in, r.data.expires_in);
  assert.equal(Boolean(r.data.refresh_token), withRefresh);
}

test('password sign-in, validatePassword and getProfile through the Node authentication SDK', async () => {
  const { username, email, password } = env.user;
  const byName = await client.signInByUsernamePassword({
    username, password, options: { scope: 'openid profile offline_access' },
  });
  assertTokenSet(byName, true);
  assertTokenSet(await client.signInByEmailPassword({ email, password }), false);
  assertTokenSet(await client.signInByAccountPassword({ account: email.toUpperCase(), password }), false);

  const valid = await client.validatePassword({ username, password });
  assert.deepEqual([valid.statusCode, valid.data.valid], [200, true], JSON.stringify(valid));

  client.setAccessToken(byName.data.access_token);
  const profile = await client.getProfile({ withCustomData: true });
  assert.equal(profile.statusCode, 200, JSON.stringify(profile));
  assert.equal(profile.data.username, username);
  assert.equal(profile.data.email, email);
  assert.deepEqual(profile.data.customData, {});

  // Signed in, the SDK sends its access token on every call, sign-in too:
  // that header is not client authentication.
  assertTokenSet(await client.signInByUsernamePassword({ username, password }), false);
});

test('every password sign-in with passwordEncryptType none and rsa, under the key GET system publishes', async () => {
  const { username, email, password } = env.user;
  const encrypted = await rsaEncrypt(client, password);
  for (const [passwordEncryptType, pw] of [['none', password], ['rsa', encrypted]]) {
    const options = { passwordEncryptType };
    assertTokenSet(await client.signInByUsernamePassword({ username, password: pw, options }), false);
    assertTokenSet(await client.signInByEmailPassword({ email, password: pw, options }), false);
    assertTokenSet(await client.signInByAccountPassword({ account: username, password: pw, options }), false);
  }
  // A plain password announced as rsa does not decrypt.
  const plain = await client.signInByUsernamePassword({ username, password, options: { passwordEncryptType: 'rsa' } });
  assert.deepEqual([plain.statusCode, plain.apiCode], [400, 2016], JSON.stringify(plain));
});

test('a public client signs in without a secret', async () => {
  const spa = new AuthenticationClient({
    appId: env.apps.spa.client_id, appHost: env.url, tokenEndPointAuthMethod: 'none',
  });
  assertTokenSet(await spa.signInByUsernamePassword({ username: env.user.username, password: env.user.password }), false);
});

test('parseAccessToken and parseIDToken verify the JWTs of an OpenID Connect app against the JWKS', async () => {
  const spa = new AuthenticationClient({
    appId: env.apps.spa.client_id, appHost: env.url, tokenEndPointAuthMethod: 'none',
  });
  const r = await spa.signInByUsernamePassword({
    username: env.user.username, password: env.user.password, options: { scope: 'openid profile' },
  });
  assertTokenSet(r, false);
  const at = await spa.parseAccessToken(r.data.access_token);
  assert.equal(at.iss, `${env.url}/oidc`);
  assert.equal(at.aud, env.apps.spa.client_id);
  assert.equal(at.scope, 'openid profile');
  assert.equal(typeof at.jti, 'string');
  assert.ok(Number.isInteger(at.iat) && Number.isInteger(at.exp) && at.iat <= Math.floor(Date.now() / 1000) && at.exp > at.iat);
  const id = await spa.parseIDToken(r.data.id_token);
  assert.equal(id.sub, at.sub);
  assert.equal(id.aud, env.apps.spa.client_id);
  // A forged signature is refused.
  const [h, p] = r.data.access_token.split('.');
  await assert.rejects(spa.parseAccessToken(`${h}.${p}.${'A'.repeat(342)}`));
});

test('a wrong password and an unknown account get the same answer', async () => {
  const wrong = await client.signInByUsernamePassword({ username: env.user.username, password: 'not the password' });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2333], JSON.stringify(wrong));
  const unknown = await client.signInByUsernamePassword({ username: 'nobody-here', password: 'not the password' });
  assert.deepEqual([unknown.statusCode, unknown.apiCode, unknown.message], [403, 2333, wrong.message]);
});

test('getNewAccessTokenByRefreshToken rotates, introspectToken, then revokeToken ends the token for the User endpoints', async () => {
  const session = new AuthenticationClient({
    appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
  });
  const signedIn = await session.signInByUsernamePassword({
    username: env.user.username, password: env.user.password, options: { scope: 'openid profile offline_access' },
  });
  assertTokenSet(signedIn, true);
  session.setAccessToken(signedIn.data.access_token);

  // The SDK sends the stored access token on the token endpoints too; the
  // refresh answers a plain token response with a new refresh token.
  const refreshed = await session.getNewAccessTokenByRefreshToken(signedIn.data.refresh_token);
  assert.equal(refreshed.token_type, 'Bearer');
  assert.ok(refreshed.access_token && refreshed.refresh_token && refreshed.expires_in > 0, JSON.stringify(refreshed));
  assert.notEqual(refreshed.access_token, signedIn.data.access_token);
  assert.notEqual(refreshed.refresh_token, signedIn.data.refresh_token);

  const active = await session.introspectToken(refreshed.access_token);
  assert.equal(active.active, true, JSON.stringify(active));
  assert.equal(active.client_id, env.apps.first.client_id);
  assert.equal(active.scope, 'openid profile offline_access');
  const me = new AuthenticationClient({
    appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
  });
  me.setAccessToken(refreshed.access_token);
  const profile = await me.getProfile({});
  assert.equal(profile.data.userId, active.sub, JSON.stringify(profile));

  assert.equal(await session.revokeToken(refreshed.access_token), true);
  assert.deepEqual(await session.introspectToken(refreshed.access_token), { active: false });
  const refused = await me.getProfile({});
  assert.deepEqual([refused.statusCode, refused.apiCode], [401, 2020], JSON.stringify(refused));

  // Revoking the refresh token ends the refreshes.
  assert.equal(await session.revokeToken(refreshed.refresh_token), true);
  assert.deepEqual(await session.introspectToken(refreshed.refresh_token), { active: false });
  await assert.rejects(session.getNewAccessTokenByRefreshToken(refreshed.refresh_token),
    (err) => err.response?.status === 400 && err.response.data.error === 'invalid_grant');
});
