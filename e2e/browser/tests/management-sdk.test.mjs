// GenAuth's own Node management SDK (authing-node-sdk, which signs every
// request with HMAC-SHA1 instead of using a token) against the server, with
// nothing changed but the host and the keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv } from './lib.mjs';

const { ManagementClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
let client;
before(async () => {
  env = await startEnv();
  client = new ManagementClient({
    accessKeyId: env.management.access_key_id,
    accessKeySecret: env.management.access_key_secret,
    host: env.url,
  });
});
after(async () => {
  await env?.close();
});

test('users and applications through the Node management SDK', async () => {
  const created = await client.createUser({
    username: 'sdk-user', email: 'sdk@example.com', password: 'long enough pw', nickname: '测试 <&> "x"',
    customData: { plan: 'pro', seats: 3 },
  });
  assert.equal(created.statusCode, 200, JSON.stringify(created));
  const userId = created.data.userId;

  const got = await client.getUser({ userId });
  assert.equal(got.statusCode, 200);
  assert.equal(got.data.username, 'sdk-user');
  assert.equal(got.data.nickname, '测试 <&> "x"');

  const missing = await client.getUser({ userId: 'no-such-user' });
  assert.deepEqual([missing.statusCode, missing.apiCode], [404, 2004]);

  const dup = await client.createUser({ username: 'sdk-user', password: 'long enough pw' });
  assert.equal(dup.statusCode, 409);

  const list = await client.listUsers({ keywords: 'sdk', options: { pagination: { page: 1, limit: 10 } } });
  assert.equal(list.statusCode, 200);
  assert.equal(list.data.totalCount, 1);

  const updated = await client.updateUser({ userId, nickname: 'renamed', status: 'Suspended' });
  assert.equal(updated.statusCode, 200);
  assert.equal(updated.data.status, 'Suspended');

  const app = await client.createApplication({
    appName: 'SDK app', appIdentifier: 'sdk-app', appType: 'web', redirectUris: ['http://localhost:3000/cb'],
  });
  assert.equal(app.statusCode, 200, JSON.stringify(app));
  const fetched = await client.getApplication({ appId: app.data.appId });
  assert.equal(fetched.data.appName, 'SDK app');

  const kicked = await client.kickUsers({ userId, appIds: [app.data.appId] });
  assert.deepEqual([kicked.statusCode, kicked.data.success], [200, true]);

  const deleted = await client.deleteUsersBatch({ userIds: [userId] });
  assert.deepEqual([deleted.statusCode, deleted.data.success], [200, true]);
  const gone = await client.getUser({ userId });
  assert.equal(gone.statusCode, 404);
});

test('MFA settings and a user\'s factors through the Node management SDK', async () => {
  const created = await client.createUser({ username: 'sdk-mfa', password: 'long enough pw' });
  assert.equal(created.statusCode, 200, JSON.stringify(created));
  const info = await client.getUserMfaInfo({ userId: created.data.userId });
  assert.equal(info.statusCode, 200, JSON.stringify(info));
  assert.deepEqual([info.data.totpStatus, info.data.smsMfaStatus, info.data.emailMfaStatus, info.data.faceMfaStatus],
    ['disabled', 'disabled', 'disabled', 'disabled']);

  const on = await client.updateGlobalMfaSettings({ enabledFactors: ['OTP'] });
  assert.equal(on.statusCode, 200, JSON.stringify(on));
  assert.equal(on.data.mfaPolicy, 'optional');
  const got = await client.getGlobalMfaSettings();
  assert.deepEqual(got.data.enabledFactors, ['OTP', 'SMS', 'EMAIL']);
  const face = await client.updateGlobalMfaSettings({ enabledFactors: ['FACE'] });
  assert.equal(face.statusCode, 400);
  const off = await client.closeGlobalMfaSettings({ disableFactors: ['OTP'] });
  assert.deepEqual([off.statusCode, off.data.mfaPolicy, off.data.enabledFactors], [200, 'off', []]);

  const app = await client.createApplication({ appName: 'MFA app', redirectUris: ['http://localhost:3000/cb'] });
  assert.equal(app.statusCode, 200, JSON.stringify(app));
  const appOn = await client.updateApplicationMfaSettings({ appId: app.data.appId, enabledFactors: ['OTP', 'SMS'] });
  assert.deepEqual([appOn.statusCode, appOn.data.mfaPolicy], [200, 'optional'], JSON.stringify(appOn));
  const fetched = await client.getApplication({ appId: app.data.appId });
  assert.equal(fetched.data.mfaPolicy, 'optional');
});

test('a wrong secret is refused', async () => {
  const wrong = new ManagementClient({
    accessKeyId: env.management.access_key_id, accessKeySecret: 'not-the-secret', host: env.url,
  });
  const r = await wrong.getUser({ userId: 'x' });
  assert.notEqual(r.statusCode, 200);
});
