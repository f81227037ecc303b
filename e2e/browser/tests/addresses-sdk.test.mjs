// Sign-up (signUp and by code), binding, changing and unbinding an email or
// a phone, and deleting the account (by email code, phone code or password)
// through GenAuth's Node SDK (authing-node-sdk 4.0.1), with every code read
// from the real SMTP server and SMS webhook receiver the environment runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv, rsaEncrypt, nextCode } from './lib.mjs';

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

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r;
}

test('signUpByEmailCode: no password, the email verified; the code works once', async () => {
  const client = newClient();
  const email = 'node-signup@example.com';
  ok(await client.sendEmail({ email, channel: 'CHANNEL_REGISTER' }));
  const passCode = await nextCode(env, email);
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
  const phoneCode = await nextCode(env, '+86' + phone);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_COMPLETE_EMAIL' }));
  const emailCode = await nextCode(env, email);
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
  const newCode = await nextCode(env, newEmail);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_UPDATE_EMAIL' }));
  const oldCode = await nextCode(env, email);
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
  const deleteCode = await nextCode(env, '+86' + phone);
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
  ok(await client.bindEmail({ email, passCode: await nextCode(env, email) }));
  const profile = ok(await client.getProfile({}));
  assert.deepEqual([profile.data.email, profile.data.emailVerified], [email, true]);
  ok(await client.sendEmail({ email, channel: 'CHANNEL_UNBIND_EMAIL' }));
  ok(await client.unbindEmail({ passCode: await nextCode(env, email) }));
  assert.equal(ok(await client.getProfile({})).data.email ?? '', '');
});

test('signUp (PASSWORD), bindPhone, the phone change with both numbers\' codes, unbindPhone, deleteAccount by password', async () => {
  const client = newClient();
  const username = 'node-phone-changer';
  const password = 'a node sdk secret';
  const signedUp = ok(await client.signUp({ connection: 'PASSWORD', passwordPayload: { username, password }, profile: { nickname: 'Changer' } }));
  assert.deepEqual([signedUp.data.username, signedUp.data.nickname, signedUp.data.userSourceType], [username, 'Changer', 'register']);
  client.setAccessToken(ok(await client.signInByUsernamePassword({ username, password })).data.access_token);

  const first = '13900000041';
  ok(await client.sendSms({ phoneNumber: first, phoneCountryCode: '+86', channel: 'CHANNEL_BIND_PHONE' }));
  ok(await client.bindPhone({ phoneNumber: first, phoneCountryCode: '+86', passCode: await nextCode(env, '+86' + first) }));
  let profile = ok(await client.getProfile({})).data;
  assert.deepEqual([profile.phone, profile.phoneVerified], ['+86' + first, true], JSON.stringify(profile));
  const security = ok(await client.getSecurityLevel()).data;
  assert.deepEqual([security.phoneBinded, security.emailBinded, security.securityScore], [true, false, 60]);

  // The new number proves itself with a bind code, the verified old one consents with an unbind code.
  const second = '13900000042';
  ok(await client.sendSms({ phoneNumber: second, phoneCountryCode: '+86', channel: 'CHANNEL_BIND_PHONE' }));
  const newCode = await nextCode(env, '+86' + second);
  ok(await client.sendSms({ phoneNumber: first, phoneCountryCode: '+86', channel: 'CHANNEL_UNBIND_PHONE' }));
  const oldCode = await nextCode(env, '+86' + first);
  const noConsent = await client.verifyUpdatePhoneRequest({
    verifyMethod: 'PHONE_PASSCODE',
    phonePassCodePayload: { newPhoneNumber: second, newPhoneCountryCode: '+86', newPhonePassCode: newCode },
  });
  assert.equal(noConsent.statusCode, 400, JSON.stringify(noConsent));
  const grant = ok(await client.verifyUpdatePhoneRequest({
    verifyMethod: 'PHONE_PASSCODE',
    phonePassCodePayload: {
      newPhoneNumber: second, newPhoneCountryCode: '+86', newPhonePassCode: newCode,
      oldPhoneNumber: first, oldPhoneCountryCode: '+86', oldPhonePassCode: oldCode,
    },
  }));
  assert.equal(grant.data.tokenExpiresIn, 60);
  assert.ok(grant.data.updatePhoneToken);
  assert.equal(ok(await client.updatePhone({ updatePhoneToken: grant.data.updatePhoneToken })).data.success, true);
  const reused = await client.updatePhone({ updatePhoneToken: grant.data.updatePhoneToken });
  assert.equal(reused.statusCode, 403, JSON.stringify(reused));
  profile = ok(await client.getProfile({})).data;
  assert.deepEqual([profile.phone, profile.phoneVerified], ['+86' + second, true], JSON.stringify(profile));
  const oldNumber = await client.signInByPhonePassword({ phone: '+86' + first, password });
  assert.deepEqual([oldNumber.statusCode, oldNumber.apiCode], [403, 2333], JSON.stringify(oldNumber));
  ok(await client.signInByPhonePassword({
    phone: '+86' + second, password: await rsaEncrypt(client, password), options: { passwordEncryptType: 'rsa' },
  }));

  // unbindPhone: the code goes to the current number; the username and password remain to sign in.
  ok(await client.sendSms({ phoneNumber: second, phoneCountryCode: '+86', channel: 'CHANNEL_UNBIND_PHONE' }));
  ok(await client.unbindPhone({ passCode: await nextCode(env, '+86' + second) }));
  profile = ok(await client.getProfile({})).data;
  assert.deepEqual([profile.phone ?? '', profile.phoneVerified], ['', false], JSON.stringify(profile));
  assert.equal(ok(await client.getSecurityLevel()).data.phoneBinded, false);

  // With neither email nor phone, the password alone proves the deletion.
  const wrong = await client.verifyDeleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: 'not my password' } });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2006], JSON.stringify(wrong));
  const del = ok(await client.verifyDeleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password, passwordEncryptType: 'none' } }));
  assert.equal(del.data.tokenExpiresIn, 60);
  assert.equal(ok(await client.deleteAccount({ deleteAccountToken: del.data.deleteAccountToken })).data.success, true);
  const gone = await client.getProfile({});
  assert.deepEqual([gone.statusCode, gone.apiCode], [401, 2020], JSON.stringify(gone));
  const signIn = await newClient().signInByUsernamePassword({ username, password });
  assert.deepEqual([signIn.statusCode, signIn.apiCode], [403, 2333], JSON.stringify(signIn));
});

test('signUp (PASSCODE) by email, sign-in by email code, deleteAccount by an email code', async () => {
  const client = newClient();
  const email = 'node-generic@example.com';
  ok(await client.sendEmail({ email, channel: 'CHANNEL_REGISTER' }));
  const signedUp = ok(await client.signUp({ connection: 'PASSCODE', passCodePayload: { email, passCode: await nextCode(env, email) } }));
  assert.deepEqual([signedUp.data.email, signedUp.data.emailVerified], [email, true], JSON.stringify(signedUp.data));
  ok(await client.sendEmail({ email, channel: 'CHANNEL_LOGIN' }));
  client.setAccessToken(ok(await client.signInByEmailPassCode({ email, passCode: await nextCode(env, email) })).data.access_token);

  ok(await client.sendEmail({ email, channel: 'CHANNEL_DELETE_ACCOUNT' }));
  const code = await nextCode(env, email);
  const byPassword = await client.verifyDeleteAccountRequest({ verifyMethod: 'PASSWORD', passwordPayload: { password: 'anything at all' } });
  assert.equal(byPassword.statusCode, 422, JSON.stringify(byPassword));
  const del = ok(await client.verifyDeleteAccountRequest({ verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { email, passCode: code } }));
  assert.equal(ok(await client.deleteAccount({ deleteAccountToken: del.data.deleteAccountToken })).data.success, true);
  const gone = await client.getProfile({});
  assert.deepEqual([gone.statusCode, gone.apiCode], [401, 2020], JSON.stringify(gone));
  // The address is free again: a new account can take it.
  const again = ok(await newClient().signUpByEmailPassword({ email, password: 'a node sdk secret' }));
  assert.notEqual(again.data.userId, signedUp.data.userId);
});
