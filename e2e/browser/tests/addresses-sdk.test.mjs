// Sign-up by code, binding and changing an email, and deleting the account
// through GenAuth's Node SDK (authing-node-sdk 4.0.1), with every code read
// from the real SMTP server and SMS webhook receiver the environment runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv } from './lib.mjs';

const { AuthenticationClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

function newClient() {
  return new AuthenticationClient({
    appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
  });
}

async function nextCode(to) {
  const r = await fetch(`${env.messages_url}?to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200, `no message arrived for ${to}`);
  const { code } = await r.json();
  assert.match(code, /^[0-9]{6}$/);
  return code;
}

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r;
}

test('signUpByEmailCode: no password, the email verified; the code works once', async () => {
  const client = newClient();
  const email = 'node-signup@example.com';
  ok(await client.sendEmail({ email, channel: 'CHANNEL_REGISTER' }));
  const passCode = await nextCode(email);
  const r = ok(await client.signUpByEmailCode({ email, passCode, profile: { nickname: 'Node' } }));
  assert.deepEqual([r.data.email, r.data.emailVerified, r.data.nickname, r.data.userSourceType],
    [email, true, 'Node', 'register'], JSON.stringify(r.data));
  const again = await client.signUpByEmailCode({ email, passCode });
  assert.deepEqual([again.statusCode, again.apiCode], [403, 2001], JSON.stringify(again));
});

test('signUpByPhoneCode with a password and a completed email; bindPhone refused when bound; updateEmail; deleteAccount', async () => {
  const client = newClient();
  const phone = '13900000031';
  const email = 'node-phone@example.com';
  ok(await client.sendSms({ phoneNumber: phone, phoneCountryCode: '+86', channel: 'CHANNEL_REGISTER' }));
  const phoneCode = await nextCode('+86' + phone);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_COMPLETE_EMAIL' }));
  const emailCode = await nextCode(email);
  const password = 'a node sdk secret';
  const r = ok(await client.signUpByPhoneCode({
    phone, phoneCountryCode: '+86', passCode: phoneCode, profile: { email },
    options: { passwordForPhonePassCode: password, emailPassCodeForInformationCompletion: emailCode },
  }));
  assert.deepEqual([r.data.phone, r.data.phoneVerified, r.data.email, r.data.emailVerified],
    ['+86' + phone, true, email, true], JSON.stringify(r.data));

  const signedIn = ok(await client.signInByPhonePassword({ phone: '+86' + phone, password }));
  client.setAccessToken(signedIn.data.access_token);

  const bound = await client.bindPhone({ phoneNumber: '13900000032', phoneCountryCode: '+86', passCode: '123456' });
  assert.equal(bound.statusCode, 422, JSON.stringify(bound));

  // updateEmail: the new address's code and, the current one being verified, its code too.
  const newEmail = 'node-phone2@example.com';
  ok(await client.sendEmail({ email: newEmail, channel: 'CHANNEL_UPDATE_EMAIL' }));
  const newCode = await nextCode(newEmail);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_UPDATE_EMAIL' }));
  const oldCode = await nextCode(email);
  const grant = ok(await client.verifyUpdateEmailRequest({
    verifyMethod: 'EMAIL_PASSCODE',
    emailPassCodePayload: { newEmail, newEmailPassCode: newCode, oldEmail: email, oldEmailPassCode: oldCode },
  }));
  assert.equal(grant.data.tokenExpiresIn, 60);
  const updated = ok(await client.updateEmail({ updateEmailToken: grant.data.updateEmailToken }));
  assert.equal(updated.data.success, true);
  const reused = await client.updateEmail({ updateEmailToken: grant.data.updateEmailToken });
  assert.equal(reused.statusCode, 403, JSON.stringify(reused));
  assert.equal(ok(await client.getProfile({})).data.email, newEmail);

  // deleteAccount: a code to the account's own phone; the token is refused afterwards.
  ok(await client.sendSms({ phoneNumber: phone, phoneCountryCode: '+86', channel: 'CHANNEL_DELETE_ACCOUNT' }));
  const deleteCode = await nextCode('+86' + phone);
  const del = ok(await client.verifyDeleteAccountRequest({
    verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { phoneNumber: phone, phoneCountryCode: '+86', passCode: deleteCode },
  }));
  assert.equal(ok(await client.deleteAccount({ deleteAccountToken: del.data.deleteAccountToken })).data.success, true);
  const gone = await client.getProfile({});
  assert.deepEqual([gone.statusCode, gone.apiCode], [401, 2020], JSON.stringify(gone));
  const signIn = await client.signInByPhonePassword({ phone: '+86' + phone, password });
  assert.equal(signIn.statusCode, 403, JSON.stringify(signIn));
});

test('bindEmail and unbindEmail with their codes', async () => {
  const client = newClient();
  const username = 'node-binder';
  const password = 'a node sdk secret';
  ok(await client.signUpByUsernamePassword({ username, password }));
  client.setAccessToken(ok(await client.signInByUsernamePassword({ username, password })).data.access_token);
  const email = 'node-binder@example.com';
  ok(await client.sendEmail({ email, channel: 'CHANNEL_BIND_EMAIL' }));
  ok(await client.bindEmail({ email, passCode: await nextCode(email) }));
  const profile = ok(await client.getProfile({}));
  assert.deepEqual([profile.data.email, profile.data.emailVerified], [email, true]);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_UNBIND_EMAIL' }));
  ok(await client.unbindEmail({ passCode: await nextCode(email) }));
  assert.equal(ok(await client.getProfile({})).data.email ?? '', '');
});
