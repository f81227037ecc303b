// Verification codes through GenAuth's Node SDK (authing-node-sdk 4.0.1):
// sendEmail and sendSms, preCheckCode, and sign-in with the code, read from
// the real SMTP server and SMS webhook receiver the environment runs.
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

function assertSignedIn(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  assert.equal(r.data.token_type, 'Bearer');
  assert.ok(r.data.access_token && r.data.id_token, JSON.stringify(r.data));
}

test('sendEmail, preCheckCode and signInByEmailPassCode; a wrong code; a second send within the minute', async () => {
  const { email } = env.code_user;
  const sent = await client.sendEmail({ email, channel: 'CHANNEL_LOGIN' });
  assert.equal(sent.statusCode, 200, JSON.stringify(sent));
  const again = await client.sendEmail({ email, channel: 'CHANNEL_LOGIN' });
  assert.equal(again.statusCode, 429, JSON.stringify(again));
  const code = await nextCode(env, email);

  const wrongCode = code === '000000' ? '111111' : '000000';
  const checkWrong = await client.preCheckCode({
    codeType: 'EMAIL', emailCodePayload: { email, passCode: wrongCode, channel: 'CHANNEL_LOGIN' },
  });
  assert.deepEqual([checkWrong.statusCode, checkWrong.data.isValid], [200, false], JSON.stringify(checkWrong));
  const check = await client.preCheckCode({
    codeType: 'EMAIL', emailCodePayload: { email, passCode: code, channel: 'CHANNEL_LOGIN' },
  });
  assert.deepEqual([check.statusCode, check.data.isValid], [200, true], JSON.stringify(check));

  const wrong = await client.signInByEmailPassCode({ email, passCode: wrongCode });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2001], JSON.stringify(wrong));
  const signedIn = await client.signInByEmailPassCode({ email, passCode: code });
  assertSignedIn(signedIn);
  client.setAccessToken(signedIn.data.access_token);
  const profile = await client.getProfile({});
  assert.equal(profile.data.email, email);

  const reused = await client.signInByEmailPassCode({ email, passCode: code });
  assert.deepEqual([reused.statusCode, reused.apiCode], [403, 2001], JSON.stringify(reused));
});

test('sendSms and signInByPhonePassCode', async () => {
  const { phone } = env.code_user;
  const sent = await client.sendSms({ phoneNumber: phone, channel: 'CHANNEL_LOGIN' });
  assert.equal(sent.statusCode, 200, JSON.stringify(sent));
  const code = await nextCode(env, phone);
  const check = await client.preCheckCode({
    codeType: 'SMS', smsCodePayload: { phone, passCode: code, channel: 'CHANNEL_LOGIN' },
  });
  assert.equal(check.data.isValid, true, JSON.stringify(check));
  assertSignedIn(await client.signInByPhonePassCode({ phone, passCode: code }));
});

test('a channel of the other endpoint, and an unknown address answered like a known one', async () => {
  const bad = await client.sendEmail({ email: env.code_user.email, channel: 'CHANNEL_BIND_PHONE' });
  assert.equal(bad.statusCode, 400, JSON.stringify(bad));
  const unknown = await client.sendEmail({ email: 'nobody@example.com', channel: 'CHANNEL_LOGIN' });
  assert.deepEqual([unknown.statusCode, unknown.message], [200, ''], JSON.stringify(unknown));
  const signIn = await client.signInByEmailPassCode({ email: 'nobody@example.com', passCode: '123456' });
  assert.deepEqual([signIn.statusCode, signIn.apiCode], [403, 2001], JSON.stringify(signIn));
});
