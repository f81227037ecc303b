// authing-node-sdk 4.0.1's AuthenticationClient and MFA: a user enrolls a
// TOTP factor through the SDK's factor calls, after which the password
// sign-in answers 1636 with an mfaToken and mfaOtpVerify, called with that
// token as the user's, finishes it with the token set. TOTP codes are
// computed here (RFC 6238: HMAC-SHA1, 30 s, 6 digits).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { startEnv } from './lib.mjs';

const { AuthenticationClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
const client = () => new AuthenticationClient({
  appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
});
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.close();
});

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data;
}

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `not base32: ${s}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// totp is the code of the time step `ahead` steps after the current one:
// the server accepts one step of drift, and each step once.
function totp(secret, ahead = 0) {
  const counter = BigInt(Math.floor(Date.now() / 30000) + ahead);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0xf;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

test('enroll a TOTP factor, then sign in with it', async () => {
  const username = 'node-mfa';
  const password = 'a good mfa secret';
  ok(await client().signUpByUsernamePassword({ username, password }));
  const me = client();
  me.setAccessToken(ok(await me.signInByUsernamePassword({ username, password })).access_token);

  const toEnroll = ok(await me.listFactorsToEnroll()).map((f) => f.factorType);
  assert.ok(toEnroll.includes('OTP'), JSON.stringify(toEnroll));
  const face = await me.sendEnrollFactorRequest({ factorType: 'FACE' });
  assert.equal(face.statusCode, 501, JSON.stringify(face));

  const request = ok(await me.sendEnrollFactorRequest({ factorType: 'OTP' }));
  assert.match(request.otpData.qrCodeDataUrl, /^data:image\/png;base64,/);
  assert.match(request.otpData.recoveryCode, /^[0-9a-f]{4}(-[0-9a-f]{4}){5}$/);
  const uri = new URL(request.otpData.qrCodeUri);
  assert.equal(uri.protocol, 'otpauth:');
  const secret = uri.searchParams.get('secret');
  const wrong = await me.enrollFactor({ factorType: 'OTP', enrollmentToken: request.enrollmentToken,
    enrollmentData: { passCode: totp(secret) === '000000' ? '111111' : '000000' } });
  assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 6001], JSON.stringify(wrong));
  const enrolled = await me.enrollFactor({ factorType: 'OTP', enrollmentToken: request.enrollmentToken,
    enrollmentData: { passCode: totp(secret) } });
  assert.equal(enrolled.statusCode, 200, JSON.stringify(enrolled));
  const again = await me.sendEnrollFactorRequest({ factorType: 'OTP' });
  assert.equal(again.statusCode, 409, JSON.stringify(again));

  const factors = ok(await me.listEnrolledFactors());
  assert.deepEqual(factors.map((f) => f.factorType), ['OTP']);
  const factor = ok(await me.getFactor({ factorId: factors[0].factorId }));
  assert.equal(factor.factorId, factors[0].factorId);
  const unknown = await me.getFactor({ factorId: 'nope' });
  assert.equal(unknown.statusCode, 404, JSON.stringify(unknown));

  // The password alone no longer signs in: 1636 and an mfaToken, no tokens.
  const gate = await client().signInByUsernamePassword({ username, password });
  assert.deepEqual([gate.statusCode, gate.apiCode], [403, 1636], JSON.stringify(gate));
  assert.equal(gate.data.access_token, undefined);
  assert.equal(gate.data.totpMfaEnabled, true);
  const pending = client();
  pending.setAccessToken(gate.data.mfaToken);
  // The enrolling code used the current step: the next one, within the drift allowed, finishes the sign-in.
  const verified = ok(await pending.mfaOtpVerify({ totp: totp(secret, 1) }));
  assert.equal(verified.verified, true);
  assert.ok(verified.access_token, JSON.stringify(verified));
  const used = await pending.mfaOtpVerify({ totp: totp(secret, 1) });
  assert.equal(used.statusCode, 401, JSON.stringify(used));

  // The new sign-in is recent enough to remove the factor; then the password signs in alone again.
  const fresh = client();
  fresh.setAccessToken(verified.access_token);
  const profile = ok(await fresh.getProfile({}));
  assert.equal(profile.username, username);
  assert.equal(ok(await fresh.getSecurityLevel()).mfaEnrolled, true);
  ok(await fresh.resetFactor({ factorId: factors[0].factorId }));
  assert.deepEqual(ok(await fresh.listEnrolledFactors()), []);
  ok(await client().signInByUsernamePassword({ username, password }));
});
