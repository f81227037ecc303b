// Every hosted page, in both languages, at phone and desktop width: no
// serious or critical axe-core violation, no horizontal scrolling, nothing
// refused by the Content-Security-Policy. With GENAUTH_SCREENSHOTS set to a
// directory (npm run screenshots), each page is also saved there as PNG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  startEnv, launch, newPage, authorizeURL, signIn, axeViolations, enrollTOTP, PHONE, DESKTOP,
  virtualAuthenticator, addPasskey, upstreamSignIn,
} from './lib.mjs';

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

const shots = process.env.GENAUTH_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

// The registration form's own submit button: the first one is hidden (it
// makes Enter create the account) and "Send code" sits at the email.
const registerSubmit = 'form[action="/register"] > button[type="submit"]:not([hidden])';

let users = 0;
// register signs a new user up on the page (and so in), unlike any other
// test's user, and returns the username. base is where: env.passkey_url for
// the pages with passkeys.
async function register(page, base = env.url) {
  const name = `a11y-user-${++users}`;
  await page.goto(`${base}/register`);
  await page.locator('#username').fill(name);
  await page.locator('#password').fill('a long passphrase');
  await page.locator('#password_confirm').fill('a long passphrase');
  await page.locator(registerSubmit).click();
  await page.waitForURL((u) => u.pathname === '/');
  return name;
}

// mfaChallenge registers a user with an authenticator app, signs out and
// signs in again with the password: the page is then on the challenge.
async function mfaChallenge(page) {
  const name = await register(page);
  await enrollTOTP(env, page);
  await page.goto(`${env.url}/`);
  await page.locator('form[action="/logout"] button[type="submit"]').click();
  await page.goto(authorizeURL(env, 'first').url);
  await signIn(page, name, 'a long passphrase');
  await page.waitForURL((u) => u.pathname === '/login/mfa');
}

// withPasskey registers a user at passkey_url with a passkey on a virtual
// authenticator and returns the username. The login field's autofill
// request, which Chromium would answer at once from that authenticator,
// is turned off: the pages must stay where the test puts them.
async function withPasskey(page) {
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await virtualAuthenticator(page);
  const name = await register(page, env.passkey_url);
  await addPasskey(page, env.passkey_url, 'Laptop');
  return name;
}

// Each page: how to get there from a fresh browser.
const pages = {
  'home': async (page) => page.goto(`${env.url}/`),
  'login': async (page) => page.goto(authorizeURL(env, 'first').url),
  'login-error': async (page) => {
    await page.goto(authorizeURL(env, 'first').url);
    await signIn(page, env.user.username, 'not the password');
    await page.locator('#password-error').waitFor();
  },
  'register': async (page) => {
    await page.goto(authorizeURL(env, 'first').url);
    await page.locator('.aside a[href^="/register"]').click();
    await page.waitForURL((u) => u.pathname === '/register');
  },
  'register-errors': async (page) => {
    await page.goto(`${env.url}/register`);
    await page.locator('#username').fill('carol');
    await page.locator('#password').fill('short');
    await page.locator('#password_confirm').fill('shorter');
    await page.locator(registerSubmit).click();
    await page.locator('#password-error').waitFor();
  },
  'register-code-sent': async (page) => {
    await page.goto(`${env.url}/register`);
    await page.locator('#username').fill(`a11y-user-${++users}`);
    await page.locator('#email').fill(`a11y-code-${users}@example.com`);
    await page.locator('button[formaction="/register/code"]').click();
    await page.waitForURL((u) => u.pathname === '/register/code');
  },
  'register-code-error': async (page) => {
    await page.goto(`${env.url}/register`);
    await page.locator('#email').fill(`a11y-code-${++users}@example.com`);
    await page.locator('#code').fill('123456');
    await page.locator('#password').fill('a long passphrase');
    await page.locator('#password_confirm').fill('a long passphrase');
    await page.locator(registerSubmit).click();
    await page.locator('#code-error').waitFor();
  },
  'consent': async (page) => {
    await register(page);
    await page.goto(authorizeURL(env, 'consent', { prefix: 'oidc', scope: 'openid profile email offline_access', nonce: 'n' }).url);
    await page.locator('form.decide').waitFor();
  },
  'home-signed-in': async (page) => {
    await register(page);
    await page.goto(authorizeURL(env, 'consent', { prefix: 'oidc', scope: 'openid email', nonce: 'n' }).url);
    await page.locator('form.decide button[value="approve"]').click();
    await page.waitForURL((u) => u.origin === env.app_url);
    await page.goto(`${env.url}/`);
  },
  'logout-confirm': async (page) => {
    await register(page);
    const q = new URLSearchParams({ client_id: env.apps.consent.client_id, post_logout_redirect_uri: `${env.app_url}/signed-out` });
    await page.goto(`${env.url}/oidc/session/end?${q}`);
    await page.locator('form[action="/oidc/session/end/confirm"]').waitFor();
  },
  'forgot': async (page) => {
    await page.goto(authorizeURL(env, 'first').url);
    await page.locator('.aside a[href^="/forgot"]').click();
    await page.waitForURL((u) => u.pathname === '/forgot');
  },
  'reset': async (page) => {
    await page.goto(`${env.url}/forgot`);
    await page.locator('#email').fill(`a11y-nobody-${++users}@example.com`);
    await page.locator('form[action="/forgot"] button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/reset');
  },
  'reset-errors': async (page) => {
    await page.goto(`${env.url}/reset?email=nobody%40example.com`);
    await page.locator('#code').fill('123456');
    await page.locator('#password').fill('short');
    await page.locator('#password_confirm').fill('shorter');
    await page.locator('form[action="/reset"] button[type="submit"]').click();
    await page.locator('#password-error').waitFor();
  },
  'reset-done': async (page) => {
    const email = `a11y-reset-${++users}@example.com`;
    await page.goto(`${env.url}/register`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill('a long passphrase');
    await page.locator('#password_confirm').fill('a long passphrase');
    await page.locator(registerSubmit).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto(`${env.url}/forgot`);
    await page.locator('#email').fill(email);
    await page.locator('form[action="/forgot"] button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/reset');
    const { code } = await (await fetch(`${env.messages_url}?to=${encodeURIComponent(email)}`)).json();
    await page.locator('#code').fill(code);
    await page.locator('#password').fill('a new long passphrase');
    await page.locator('#password_confirm').fill('a new long passphrase');
    await page.locator('form[action="/reset"] button[type="submit"]').click();
    await page.locator('a.button[href^="/login"]').waitFor();
  },
  'code-login': async (page) => {
    await page.goto(authorizeURL(env, 'first').url);
    await page.locator('.aside a[href^="/login/code"]').click();
    await page.waitForURL((u) => u.pathname === '/login/code');
  },
  'code-login-errors': async (page) => {
    await page.goto(`${env.url}/login/code`);
    await page.locator('#address').fill('not an address');
    await page.locator('form[action="/login/code"] button[type="submit"]').click();
    await page.locator('#address-error').waitFor();
  },
  'code-verify': async (page) => {
    await page.goto(authorizeURL(env, 'first').url);
    await page.locator('.aside a[href^="/login/code"]').click();
    await page.locator('#address').fill(`a11y-nobody-${++users}@example.com`);
    await page.locator('form[action="/login/code"] button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/login/code/verify');
  },
  'code-verify-errors': async (page) => {
    await page.goto(`${env.url}/login/code/verify?address=nobody%40example.com`);
    await page.locator('#code').fill('123456');
    await page.locator('form[action="/login/code/verify"] button[type="submit"]').click();
    await page.locator('#code-error').waitFor();
  },
  'account': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
  },
  'account-errors': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('#old_password').fill('not the password');
    await page.locator('#password').fill('short');
    await page.locator('#password_confirm').fill('shorter');
    await page.locator('form[action="/account/password"] button[type="submit"]').click();
    await page.locator('#password-error').waitFor();
  },
  'account-changed': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('#old_password').fill('a long passphrase');
    await page.locator('#password').fill('a new long passphrase');
    await page.locator('#password_confirm').fill('a new long passphrase');
    await page.locator('form[action="/account/password"] button[type="submit"]').click();
    await page.locator('[role="status"]').waitFor();
  },
  'account-email-errors': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('#new_email').fill('not an email');
    await page.locator('form[action="/account/email"] button[type="submit"]').click();
    await page.locator('#new_email-error').waitFor();
  },
  'account-email-code': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('#new_email').fill(`a11y-new-${++users}@example.com`);
    await page.locator('form[action="/account/email"] button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/account/email/verify');
  },
  'account-phone-code-errors': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account/phone/verify?new_phone=%2B86139${String(++users).padStart(8, '0')}`);
    await page.locator('#code').fill('123456');
    await page.locator('form[action="/account/phone/verify"] button[type="submit"]').click();
    await page.locator('#code-error').waitFor();
  },
  'mfa-enroll': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('a[href="/account/mfa/totp"]').click();
    await page.locator('img.qr').waitFor();
  },
  'mfa-recovery-codes': async (page) => {
    await register(page);
    await enrollTOTP(env, page);
  },
  'account-mfa': async (page) => {
    await register(page);
    await enrollTOTP(env, page);
    await page.goto(`${env.url}/account`);
    await page.locator('ul.factors').waitFor();
  },
  'mfa-email-code': async (page) => {
    await register(page);
    await page.goto(`${env.url}/account`);
    await page.locator('a[href="/account/mfa/code?kind=email"]').click();
    await page.locator('#address').fill(`a11y-mfa-${++users}@example.com`);
    await page.locator('form[action="/account/mfa/code/send"] button[type="submit"]').click();
    await page.locator('#code').waitFor();
  },
  'mfa-challenge-error': async (page) => {
    await mfaChallenge(page);
    await page.locator('#recovery_code').fill('not a code');
    await page.locator('form[action="/login/mfa"] input[value="recovery"] ~ button[type="submit"]').click();
    await page.locator('#recovery_code-error').waitFor();
  },
  'passkey-login': async (page) => {
    await page.goto(authorizeURL({ ...env, url: env.passkey_url }, 'first').url);
    await page.locator('form[data-passkey="login"]:not([hidden])').waitFor();
  },
  'passkey-login-error': async (page) => {
    // A passkey this GenAuth does not know, refused. By the button: the
    // autofill request would be answered again on the page that says so.
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    const { cdp, authenticatorId } = await virtualAuthenticator(page);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: {
        credentialId: randomBytes(16).toString('base64'), isResidentCredential: true, rpId: 'localhost',
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
        userHandle: Buffer.from('nobody').toString('base64'), signCount: 0,
      },
    });
    await page.goto(`${env.passkey_url}/login`);
    await page.locator('form[data-passkey="login"] button').click();
    await page.locator('#form-error').waitFor();
  },
  'account-passkeys': async (page) => {
    await withPasskey(page);
    await page.locator('ul.passkeys').waitFor();
  },
  'mfa-passkey': async (page) => {
    const name = await withPasskey(page);
    await page.goto(`${env.passkey_url}/`);
    await page.locator('form[action="/logout"] button[type="submit"]').click();
    await page.goto(authorizeURL({ ...env, url: env.passkey_url }, 'first').url);
    await signIn(page, name, 'a long passphrase');
    await page.waitForURL((u) => u.pathname === '/login/mfa');
    await page.locator('form[data-passkey="second"]:not([hidden])').waitFor();
  },
  'idp-login': async (page) => {
    await page.goto(authorizeURL(env, 'sso').url);
    await page.locator('a.idp').first().waitFor();
  },
  'idp-ldap-error': async (page) => {
    await page.goto(`${env.url}/connections/${env.upstream.directory}/ldap`);
    await page.locator('#username').fill('alice');
    await page.locator('#password').fill('directory password');
    await page.locator(`form[action^="/connections/${env.upstream.directory}/ldap"] button[type="submit"]`).click();
    await page.locator('#form-error').waitFor();
  },
  'idp-refused': async (page) => page.goto(`${env.url}/connections/${env.upstream.connection}/callback?code=x&state=y`),
  // Signed in through the provider (linking by email if an earlier state
  // unlinked the identity), the identity on the account page.
  'account-identities': async (page) => {
    await page.goto(`${env.url}/login?return_to=${encodeURIComponent('/account')}`);
    await upstreamSignIn(env, page);
    if (new URL(page.url()).pathname === '/connections/link') await page.locator('button[value="yes"]').click();
    await page.waitForURL((u) => u.pathname === '/account');
    await page.locator('ul.identities form[action="/account/identities/unlink"]').waitFor();
  },
  // The identity unlinked, the next sign-in through the provider meets the
  // account by its verified email and asks to link.
  'idp-link-confirm': async (page) => {
    await pages['account-identities'](page);
    await page.locator('ul.identities form[action="/account/identities/unlink"] button').click();
    await page.waitForURL((u) => u.pathname === '/account');
    await page.goto(`${env.url}/connections/${env.upstream.connection}/start?return_to=${encodeURIComponent('/account')}`);
    await page.waitForURL((u) => u.pathname === '/connections/link');
  },
  'signed-out': async (page) => page.goto(`${env.url}/login/profile/logout`),
  'error': async (page) => page.goto(`${env.url}/oauth/auth?client_id=unknown&response_type=code`),
};

// Screenshots in English of every page, and in Chinese of a few.
const chineseShots = new Set(['login', 'register-errors', 'consent', 'passkey-login']);

// GENAUTH_A11Y_LANGS picks the languages (comma-separated): each Go package
// that runs this file takes one, so that each has go test's ten minutes.
const langs = (process.env.GENAUTH_A11Y_LANGS || 'en,zh-CN').split(',');

for (const lang of langs) {
  for (const [name, open] of Object.entries(pages)) {
    test(`${name} (${lang}) is accessible at phone and desktop width`, async () => {
      const page = await newPage(browser, { viewport: DESKTOP, locale: lang === 'en' ? 'en-US' : 'zh-CN' });
      await open(page);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        await page.setViewportSize(viewport);
        assert.deepEqual(await axeViolations(page), [], `${name} (${lang}, ${size})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} (${lang}, ${size}) scrolls sideways by ${overflow}px`);
        if (shots && (lang === 'en' || chineseShots.has(name))) {
          const file = lang === 'en' ? `${name}-${size}.png` : `${name}-${lang}-${size}.png`;
          await page.screenshot({ path: join(shots, file), fullPage: true });
        }
      }
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
}
