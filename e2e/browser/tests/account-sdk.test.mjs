// authing-node-sdk 4.0.1's AuthenticationClient: sign-up, then the signed-in
// user's own calls (profile, password, security level, login history,
// applications), against the server with nothing changed but the host and
// the application's id and secret. It signs up users of its own, so that
// the shared user's password never changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv } from './lib.mjs';

const { AuthenticationClient, ManagementClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
let first;
const client = () => new AuthenticationClient({
  appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
});
before(async () => {
  env = await startEnv();
  first = env.apps.first.client_id;
});
after(async () => {
  await env?.close();
});

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data;
}

test('sign-up, then the user changes their profile and password and reads their account', async () => {
  const password = 'a good new secret';
  const signedUp = ok(await client().signUpByUsernamePassword({
    username: 'node-newbie', password, profile: { nickname: 'Newb', gender: 'M', customData: { plan: 'free' } },
  }));
  assert.equal(signedUp.username, 'node-newbie');
  assert.equal(signedUp.nickname, 'Newb');
  assert.deepEqual([signedUp.userSourceType, signedUp.userSourceId], ['register', first]);
  const byEmail = ok(await client().signUpByEmailPassword({ email: 'Node-Newbie@Example.com', password }));
  assert.deepEqual([byEmail.email, byEmail.emailVerified], ['node-newbie@example.com', false]);
  const taken = await client().signUpByUsernamePassword({ username: 'NODE-NEWBIE', password });
  assert.deepEqual([taken.statusCode, taken.apiCode], [409, 2026], JSON.stringify(taken));
  const passcode = await client().signUpByEmailCode({ email: 'code@example.com', passCode: '123456' });
  assert.deepEqual([passcode.statusCode, passcode.apiCode], [403, 2001], JSON.stringify(passcode));

  // Two sessions of the same user.
  const mine = client();
  const theirs = client();
  mine.setAccessToken(ok(await mine.signInByUsernamePassword({ username: 'node-newbie', password })).access_token);
  theirs.setAccessToken(ok(await theirs.signInByUsernamePassword({ username: 'node-newbie', password })).access_token);

  const updated = ok(await mine.updateProfile({ nickname: 'Renamed', gender: 'F', email: 'ignored@example.com' }));
  assert.deepEqual([updated.nickname, updated.gender, updated.email], ['Renamed', 'F', undefined]);

  const security = ok(await mine.getSecurityLevel());
  assert.deepEqual(security, {
    passwordSecurityLevel: 2, mfaEnrolled: false, passwordSet: true, emailBinded: false, phoneBinded: false, securityScore: 40,
  });

  const history = ok(await mine.getLoginHistory({ page: 1, limit: 1 }));
  assert.equal(history.totalCount, 2);
  assert.equal(history.list.length, 1);
  assert.deepEqual([history.list[0].appId, history.list[0].appName, history.list[0].success],
    [first, env.apps.first.name, true]);
  assert.equal(history.list[0].geoip.country_name, '');
  assert.deepEqual(ok(await mine.getLoginHistory({ success: false })), { totalCount: 0, list: [] });

  const loggedIn = ok(await mine.getLoggedInApps());
  assert.deepEqual(loggedIn.map((a) => [a.appId, a.active]), [[first, true]]);
  const accessible = ok(await mine.getAccessibleApps());
  assert.ok(accessible.some((a) => a.appId === first && a.active), JSON.stringify(accessible));

  const wrong = await mine.updatePassword({ oldPassword: 'not my password', newPassword: 'another good secret' });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2006], JSON.stringify(wrong));
  const changed = await mine.updatePassword({ oldPassword: password, newPassword: 'another good secret' });
  assert.equal(changed.statusCode, 200, JSON.stringify(changed));

  // The old password fails, the new one signs in, the other session is over, this one is not.
  const old = await client().signInByUsernamePassword({ username: 'node-newbie', password });
  assert.deepEqual([old.statusCode, old.apiCode], [403, 2333], JSON.stringify(old));
  ok(await client().signInByUsernamePassword({ username: 'node-newbie', password: 'another good secret' }));
  const refused = await theirs.getProfile({});
  assert.deepEqual([refused.statusCode, refused.apiCode], [401, 2020], JSON.stringify(refused));
  assert.equal(ok(await mine.getProfile({})).nickname, 'Renamed');
});

test('sign-up on an application that closed registration', async () => {
  const mgmt = new ManagementClient({
    accessKeyId: env.management.access_key_id, accessKeySecret: env.management.access_key_secret, host: env.url,
  });
  const app = ok(await mgmt.createApplication({ appName: 'Closed shop', appType: 'web', redirectUris: ['http://localhost:3000/cb'] }));
  try {
    ok(await mgmt.updateApplication({ appId: app.appId, registrationClosed: true }));
    assert.equal(ok(await mgmt.getApplication({ appId: app.appId })).registrationClosed, true);
    // Sign-up sends no client credentials: the SDK needs none configured.
    const closed = new AuthenticationClient({ appId: app.appId, appHost: env.url, tokenEndPointAuthMethod: 'none' });
    const refused = await closed.signUpByUsernamePassword({ username: 'node-shut-out', password: 'a good new secret' });
    assert.deepEqual([refused.statusCode, refused.apiCode], [403, 2031], JSON.stringify(refused));
  } finally {
    ok(await mgmt.deleteApplication({ appId: app.appId }));
  }
});
