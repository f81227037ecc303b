// GenAuth's Node SDK (authing-node-sdk 4.0.1) AuthenticationClient against
// the server's authentication API, with nothing changed but the host and
// the application's id and secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { startEnv } from './lib.mjs';

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

test('an rsa-encrypted password, under the key GET system publishes', async () => {
  const info = await client.getSystemInfo();
  const key = createPublicKey({ key: Buffer.from(info.rsa.publicKey, 'base64'), format: 'der', type: 'spki' });
  const encrypted = publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(env.user.password))
    .toString('base64');
  assertTokenSet(await client.signInByUsernamePassword({
    username: env.user.username, password: encrypted, options: { passwordEncryptType: 'rsa' },
  }), false);
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
