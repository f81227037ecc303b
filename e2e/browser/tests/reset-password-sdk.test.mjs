// Password reset through GenAuth's Node SDK (authing-node-sdk 4.0.1):
// sendEmail or sendSms (CHANNEL_RESET_PASSWORD), verifyResetPasswordRequest
// and resetPassword, with the code read from the environment's real SMTP
// server or SMS webhook receiver; then the new password signs in and the
// old one fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv, nextCode } from './lib.mjs';

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

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r;
}

const signIn = (username, password) => client.signInByUsernamePassword({ username, password });

test('a password reset by email code: the new password signs in, the old one and the used token fail', async () => {
  const { username, email, password } = env.code_user;
  const newPassword = 'a brand new secret';
  const sent = await client.sendEmail({ email, channel: 'CHANNEL_RESET_PASSWORD' });
  assert.equal(sent.statusCode, 200, JSON.stringify(sent));
  const code = await nextCode(env, email);

  const wrong = await client.verifyResetPasswordRequest({
    verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { email, passCode: code === '000000' ? '111111' : '000000' },
  });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2001], JSON.stringify(wrong));
  const verified = await client.verifyResetPasswordRequest({
    verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { email, passCode: code },
  });
  assert.equal(verified.statusCode, 200, JSON.stringify(verified));
  const { passwordResetToken, tokenExpiresIn } = verified.data;
  assert.ok(passwordResetToken);
  assert.equal(tokenExpiresIn, 600);

  const reset = await client.resetPassword({ password: newPassword, passwordResetToken });
  assert.deepEqual([reset.statusCode, reset.data], [200, { success: true }], JSON.stringify(reset));
  const again = await client.resetPassword({ password: 'another new secret', passwordResetToken });
  assert.equal(again.statusCode, 403, JSON.stringify(again));

  const old = await signIn(username, password);
  assert.deepEqual([old.statusCode, old.apiCode], [403, 2333], JSON.stringify(old));
  const fresh = await signIn(username, newPassword);
  assert.equal(fresh.statusCode, 200, JSON.stringify(fresh));
  assert.ok(fresh.data.access_token);
});

test('a password reset by SMS code, for a user who signed up by phone: the other sessions end', async () => {
  const phone = '13900000051';
  const password = 'a phone user secret';
  const newPassword = 'a phone user new secret';
  ok(await client.sendSms({ phoneNumber: phone, phoneCountryCode: '+86', channel: 'CHANNEL_REGISTER' }));
  ok(await client.signUpByPhoneCode({
    phone, phoneCountryCode: '+86', passCode: await nextCode(env, '+86' + phone), options: { passwordForPhonePassCode: password },
  }));
  const session = new AuthenticationClient({
    appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
  });
  session.setAccessToken(ok(await session.signInByPhonePassword({ phone: '+86' + phone, password })).data.access_token);
  ok(await session.getProfile({}));

  ok(await client.sendSms({ phoneNumber: phone, phoneCountryCode: '+86', channel: 'CHANNEL_RESET_PASSWORD' }));
  const code = await nextCode(env, '+86' + phone);
  const otherNumber = await client.verifyResetPasswordRequest({
    verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { phoneNumber: '13900000052', phoneCountryCode: '+86', passCode: code },
  });
  assert.deepEqual([otherNumber.statusCode, otherNumber.apiCode], [403, 2001], JSON.stringify(otherNumber));
  const verified = ok(await client.verifyResetPasswordRequest({
    verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { phoneNumber: phone, phoneCountryCode: '+86', passCode: code },
  }));
  assert.equal(verified.data.tokenExpiresIn, 600);
  const reset = ok(await client.resetPassword({ password: newPassword, passwordResetToken: verified.data.passwordResetToken }));
  assert.deepEqual(reset.data, { success: true });

  const old = await client.signInByPhonePassword({ phone: '+86' + phone, password });
  assert.deepEqual([old.statusCode, old.apiCode], [403, 2333], JSON.stringify(old));
  ok(await client.signInByPhonePassword({ phone: '+86' + phone, password: newPassword }));
  const ended = await session.getProfile({});
  assert.deepEqual([ended.statusCode, ended.apiCode], [401, 2020], JSON.stringify(ended));
});
