// authing-node-sdk 4.0.1's passkey calls (initRegisterOptions,
// verifyRegister, initAuthenticationOptions, verifyAuthentication) against
// GenAuth, with the credentials made by Chromium's WebAuthn code on a
// virtual authenticator (CDP WebAuthn domain): a page of the IdP, at
// localhost since passkeys refuse an IP address, runs
// navigator.credentials.create/get with the SDK's options and hands
// credential.toJSON() back to the SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv, launch } from './lib.mjs';

const { AuthenticationClient } = createRequire(import.meta.url)('authing-node-sdk');

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

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data;
}

// The confidential app signs in with a password; the public one ("spa")
// signs in with passkeys alone, since the SDK sends no client secret there.
const confidential = () => new AuthenticationClient({
  appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.passkey_url,
});
const public_ = () => new AuthenticationClient({
  appId: env.apps.spa.client_id, appHost: env.passkey_url, tokenEndPointAuthMethod: 'none',
});

// authenticatorPage opens a page of the IdP with a virtual platform
// authenticator that holds resident keys and verifies its user. Not the
// login page: its script starts a conditional request as it loads, and
// a second request while one is pending fails ("A request is already
// pending").
async function authenticatorPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.passkey_url}/forgot`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId, close: () => context.close() };
}

const create = (page, options) => page.evaluate(async (json) => {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return (await navigator.credentials.create({ publicKey })).toJSON();
}, options);

const get = (page, options) => page.evaluate(async (json) => {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return (await navigator.credentials.get({ publicKey })).toJSON();
}, options);

test('register a passkey, sign in with it alone, then as the second factor', async () => {
  const username = 'node-passkey';
  const password = 'a good passkey secret';
  ok(await confidential().signUpByUsernamePassword({ username, password }));
  const me = confidential();
  me.setAccessToken(ok(await me.signInByUsernamePassword({ username, password })).access_token);
  const device = await authenticatorPage();
  try {
    const reg = ok(await me.initRegisterOptions());
    assert.equal(reg.registrationOptions.rp.id, 'localhost');
    const credential = await create(device.page, reg.registrationOptions);
    assert.equal(credential.type, 'public-key');
    const verified = ok(await me.verifyRegister({
      ticket: reg.ticket, registrationCredential: credential, authenticatorCode: 'fingerprint', name: 'Chromium',
    }));
    assert.deepEqual(verified, { verified: true });
    // The ticket is single use.
    assert.deepEqual(ok(await me.verifyRegister({ ticket: reg.ticket, registrationCredential: credential })), { verified: false });
    const factors = ok(await me.listEnrolledFactors());
    assert.deepEqual(factors.map((f) => [f.factorType, f.profile.name, f.profile.credentialId]),
      [['WEBAUTHN', 'Chromium', credential.id]]);
    const { credentials } = await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId });
    assert.equal(credentials.length, 1);
    assert.ok(credentials[0].isResidentCredential);

    // Passwordless: no user named, the authenticator offers its resident key.
    const anon = public_();
    const start = ok(await anon.initAuthenticationOptions());
    assert.equal(start.authenticationOptions.allowCredentials, undefined);
    const assertion = await get(device.page, start.authenticationOptions);
    assert.ok(assertion.response.userHandle, JSON.stringify(assertion));
    const signedIn = ok(await anon.verifyAuthentication({ ticket: start.ticket, authenticationCredential: assertion }));
    assert.equal(signedIn.verified, true, JSON.stringify(signedIn));
    anon.setAccessToken(signedIn.tokenSet.access_token);
    assert.equal(ok(await anon.getProfile({})).username, username);
    // The same assertion again: refused (the ticket is used).
    assert.deepEqual(ok(await public_().verifyAuthentication({ ticket: start.ticket, authenticationCredential: assertion })),
      { verified: false });

    // The password sign-in now needs a second factor: the passkey, offered alone.
    const pending = await confidential().signInByUsernamePassword({ username, password });
    assert.deepEqual([pending.statusCode, pending.apiCode], [403, 1636], JSON.stringify(pending));
    const second = confidential();
    second.setAccessToken(pending.data.mfaToken);
    const mfaStart = ok(await second.initAuthenticationOptions());
    assert.deepEqual(mfaStart.authenticationOptions.allowCredentials.map((c) => c.id), [credential.id]);
    const mfaAssertion = await get(device.page, mfaStart.authenticationOptions);
    const finished = ok(await second.verifyAuthentication({ ticket: mfaStart.ticket, authenticationCredential: mfaAssertion }));
    assert.equal(finished.verified, true, JSON.stringify(finished));
    second.setAccessToken(finished.tokenSet.access_token);
    assert.equal(ok(await second.getProfile({})).username, username);
  } finally {
    await device.close();
  }
});

test('passkeys are off where the public URL is an IP address', async () => {
  const c = new AuthenticationClient({ appId: env.apps.spa.client_id, appHost: env.url, tokenEndPointAuthMethod: 'none' });
  const r = await c.initAuthenticationOptions();
  assert.equal(r.statusCode, 501, JSON.stringify(r));
  assert.match(r.message, /IP address/);
});
