// The hosted pages' flows in Chromium: register, sign in, a wrong password,
// consent, the redirect back with a code, and the ways of signing out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  startEnv, launch, newPage, authorizeURL, signIn, callback, exchange, totp, PHONE, nextCode, enrollTOTP,
} from './lib.mjs';

const { ManagementClient } = createRequire(import.meta.url)('authing-node-sdk');

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

// Chromium applies autofocus at its next rendering step, after the URL has
// changed, so this waits for some element to take the focus before reading it.
async function focusedId(page) {
  await page.waitForFunction(() => document.activeElement && document.activeElement !== document.body, null, { timeout: 5000 })
    .catch(() => {});
  return page.evaluate(() => document.activeElement?.id);
}

test('register, then continue to the application with a code', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  const { url, state } = authorizeURL(env, 'first');
  await page.goto(url);
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  assert.match(await page.locator('.lead').innerText(), /Sign in to continue to Acme Notes/);
  await page.getByRole('link', { name: 'Create one' }).click();
  assert.equal(new URL(page.url()).pathname, '/register');
  await page.getByLabel('Username').fill('bob');
  await page.getByLabel('Email').fill('bob@example.com');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByLabel('Confirm password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  const q = callback(env, page, state);
  const tokens = await exchange(env, 'first', q.get('code'));
  assert.match(tokens.access_token, /^[0-9a-f]{40}$/);
  assert.deepEqual(page.problems, []);
});

test('registration errors appear at their fields and the entries are kept', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill(env.user.username);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('shorter');
  await page.getByRole('button', { name: 'Create account' }).click();
  // Password problems are found first; the username is checked once they are fixed.
  assert.equal(await page.locator('#password-error').innerText(), 'The password must have at least 8 characters.');
  assert.equal(await page.locator('#password_confirm-error').innerText(), 'The two passwords do not match.');
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Username').inputValue(), env.user.username);
  assert.equal(await focusedId(page), 'password');

  await page.getByLabel('Password', { exact: true }).fill('long enough');
  await page.getByLabel('Confirm password').fill('long enough');
  await page.getByRole('button', { name: 'Create account' }).click();
  assert.equal(await page.locator('#username-error').innerText(), 'This username is taken. Sign in instead, or choose another.');
  assert.equal(await page.getByLabel('Username').getAttribute('aria-describedby'), 'username-error');
  assert.equal(await focusedId(page), 'username');
  assert.deepEqual(page.problems, []);
});

test('register where the application requires a verified email: no code refused, a code by email, a wrong one refused, the right one creates the user with the email verified', async () => {
  const mgmt = new ManagementClient({
    accessKeyId: env.management.access_key_id, accessKeySecret: env.management.access_key_secret, host: env.url,
  });
  const ok = (r) => {
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    return r.data;
  };
  const app = ok(await mgmt.createApplication({ appName: 'Verified Mail', appType: 'web', redirectUris: [`${env.app_url}/callback`] }));
  try {
    ok(await mgmt.updateApplication({ appId: app.appId, registrationEmailVerify: true }));
    const page = await newPage(browser, { viewport: PHONE });
    const state = 'verify-email';
    const q = new URLSearchParams({
      client_id: app.appId, redirect_uri: `${env.app_url}/callback`, response_type: 'code', scope: 'user', state,
    });
    await page.goto(`${env.url}/oauth/auth?${q}`);
    await page.getByRole('link', { name: 'Create one' }).click();
    assert.equal(new URL(page.url()).pathname, '/register');
    assert.match(await page.locator('#code-hint').innerText(), /needs your email address verified/);

    await page.getByLabel('Username').fill('vera');
    await page.getByLabel('Email').fill('vera@example.com');
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
    await page.getByLabel('Confirm password').fill('a long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    assert.match(await page.locator('#code-error').innerText(), /Enter the code we sent/);
    assert.equal(await focusedId(page), 'code');

    // Sending keeps the username and email, not the passwords, and focuses the code.
    await page.getByRole('button', { name: 'Send code' }).click();
    assert.equal(new URL(page.url()).pathname, '/register/code');
    assert.equal(await page.locator('#code-hint').innerText(), 'We sent a code to vera@example.com. It is valid for 5 minutes.');
    assert.equal(await focusedId(page), 'code');
    assert.equal(await page.getByLabel('Username').inputValue(), 'vera');
    assert.equal(await page.getByLabel('Email').inputValue(), 'vera@example.com');
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
    const r = await fetch(`${env.messages_url}?to=${encodeURIComponent('vera@example.com')}`);
    assert.equal(r.status, 200);
    const { code } = await r.json();

    await page.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
    await page.getByLabel('Confirm password').fill('a long passphrase');
    await page.getByRole('button', { name: 'Create account' }).click();
    assert.match(await page.locator('#code-error').innerText(), /wrong/);
    assert.equal(await focusedId(page), 'code');

    // Enter in a field creates the account: it does not send another code.
    await page.getByLabel('Verification code').fill(code);
    await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
    await page.getByLabel('Confirm password').fill('a long passphrase');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.origin === env.app_url);
    callback(env, page, state);
    const user = ok(await mgmt.getUser({ userId: 'vera', userIdType: 'username' }));
    assert.deepEqual([user.email, user.emailVerified], ['vera@example.com', true]);
    assert.deepEqual(page.problems, []);
  } finally {
    ok(await mgmt.deleteApplication({ appId: app.appId }));
  }
});

test('a wrong password is shown at the field, the username is kept, then sign in works', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  assert.equal(await focusedId(page), 'username');
  await signIn(page, env.user.username, 'not the password');
  const message = page.locator('#password-error');
  assert.equal(await message.innerText(), 'Wrong username or password. Check both and try again.');
  assert.ok(await message.isVisible());
  assert.equal(await page.getByLabel('Username, email or phone').inputValue(), env.user.username);
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  assert.equal(await focusedId(page), 'password');

  await page.getByLabel('Password').fill(env.user.password);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === '/');
  assert.match(await page.locator('.lead').innerText(), /Signed in as Alice Liddell/);
  assert.deepEqual(page.problems, []);
});

test('the keyboard reaches every control in order, with a visible focus', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  assert.equal(await focusedId(page), 'username');
  // From the top of the page: header, then the form, then the link below it.
  await page.focus('a.brand');
  const order = [];
  for (let i = 0; i < 11; i++) {
    if (i > 0) await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement;
      return { label: a.id || a.textContent.trim(), outline: getComputedStyle(a).outlineStyle };
    });
    assert.notEqual(el.outline, 'none', `no visible focus on ${el.label}`);
    order.push(el.label);
  }
  // Without an application, the sign-in page offers every connection some
  // application enables (testenv's "sso" two).
  assert.deepEqual(order, ['GenAuth', 'English', '简体中文', 'username', 'password', 'Sign in', 'Sign in with Corp SSO',
    'Sign in with Corp Directory', 'Forgot password?', 'Sign in with a code', 'Create one']);
});

test('forgot password: a code by email, a new password, then it signs in and the old one does not', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('rita');
  await page.getByLabel('Email').fill('rita@example.com');
  await page.getByLabel('Password', { exact: true }).fill('the old passphrase');
  await page.getByLabel('Confirm password').fill('the old passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.context().clearCookies();

  const { url, state } = authorizeURL(env, 'first');
  await page.goto(url);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  assert.equal(new URL(page.url()).pathname, '/forgot');
  await page.getByLabel('Email').fill('rita@example.com');
  await page.getByRole('button', { name: 'Send code' }).click();
  assert.equal(new URL(page.url()).pathname, '/reset');
  assert.equal(await focusedId(page), 'code');
  const r = await fetch(`${env.messages_url}?to=${encodeURIComponent('rita@example.com')}`);
  assert.equal(r.status, 200);
  const { code } = await r.json();

  await page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByLabel('Confirm password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  assert.match(await page.locator('#code-error').innerText(), /wrong/);
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByLabel('Confirm password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Your password is changed');

  // The sign-in link keeps the application's request.
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signIn(page, 'rita', 'the old passphrase');
  await page.locator('#password-error').waitFor();
  await signIn(page, 'rita', 'a brand new passphrase');
  callback(env, page, state);
  assert.deepEqual(page.problems, []);
});

test('sign in with a code: sent by email, a wrong code refused, the right one signs in and continues to the application', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('cody');
  await page.getByLabel('Email').fill('cody@example.com');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByLabel('Confirm password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.context().clearCookies();

  const { url, state } = authorizeURL(env, 'first');
  await page.goto(url);
  await page.getByRole('link', { name: 'Sign in with a code' }).click();
  assert.equal(new URL(page.url()).pathname, '/login/code');
  assert.equal(await focusedId(page), 'address');
  await page.getByLabel('Email or phone number').fill('cody@example.com');
  await page.getByRole('button', { name: 'Send code' }).click();
  assert.equal(new URL(page.url()).pathname, '/login/code/verify');
  assert.match(await page.locator('.lead').first().innerText(), /Sign in to continue to Acme Notes/);
  assert.equal(await focusedId(page), 'code');
  const r = await fetch(`${env.messages_url}?to=${encodeURIComponent('cody@example.com')}`);
  assert.equal(r.status, 200);
  const { code } = await r.json();

  await page.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  assert.match(await page.locator('#code-error').innerText(), /wrong/);
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  callback(env, page, state);
  assert.deepEqual(page.problems, []);
});

test('account page: a wrong current password refused, then the password changed while this browser stays signed in', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('petra');
  await page.getByLabel('Password', { exact: true }).fill('the old passphrase');
  await page.getByLabel('Confirm password').fill('the old passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.getByRole('link', { name: 'Your account: password, email and phone' }).click();
  assert.equal(new URL(page.url()).pathname, '/account');

  await page.getByLabel('Current password').fill('not the passphrase');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByLabel('Confirm password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  assert.match(await page.locator('#old_password-error').innerText(), /not your current password/);
  assert.equal(await focusedId(page), 'old_password');
  await page.getByLabel('Current password').fill('the old passphrase');
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByLabel('Confirm password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  assert.match(await page.getByRole('status').innerText(), /Your password is changed/);

  await page.goto(`${env.url}/`);
  assert.equal(await page.locator('h1').innerText(), 'You are signed in');
  await page.context().clearCookies();
  await page.goto(`${env.url}/login`);
  await signIn(page, 'petra', 'a brand new passphrase');
  await page.waitForURL((u) => u.pathname === '/');
  assert.deepEqual(page.problems, []);
});

test('account page: an email added with a code (a wrong one refused), a phone added, then changed with a code to each number', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('emil');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByLabel('Confirm password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.goto(`${env.url}/account`);
  assert.equal(await page.locator('.addresses dd').first().innerText(), 'None');

  await page.getByLabel('New email').fill('not an email');
  await page.locator('form[action="/account/email"] button').click();
  assert.match(await page.locator('#new_email-error').innerText(), /Enter an email address/);
  assert.equal(await focusedId(page), 'new_email');
  await page.getByLabel('New email').fill('emil@example.com');
  await page.locator('form[action="/account/email"] button').click();
  assert.equal(new URL(page.url()).pathname, '/account/email/verify');
  assert.equal(await focusedId(page), 'code');
  assert.equal(await page.locator('#old_code').count(), 0);
  const code = await nextCode(env, 'emil@example.com');
  await page.getByLabel('Code sent to the new email').fill(code === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Change email' }).click();
  assert.match(await page.locator('#code-error').innerText(), /wrong/);
  await page.getByLabel('Code sent to the new email').fill(code);
  await page.getByRole('button', { name: 'Change email' }).click();
  assert.equal(new URL(page.url()).pathname, '/account');
  assert.match(await page.getByRole('status').innerText(), /Your email is changed/);
  assert.equal(await page.locator('.addresses dd').first().innerText(), 'emil@example.com Verified');

  // A phone number added by SMS is verified: changing it asks for a code from each number.
  await page.getByLabel('New phone number').fill('+8613912345678');
  await page.locator('form[action="/account/phone"] button').click();
  assert.equal(new URL(page.url()).pathname, '/account/phone/verify');
  await page.getByLabel('Code sent to the new number').fill(await nextCode(env, '+8613912345678'));
  await page.getByRole('button', { name: 'Change phone number' }).click();
  assert.match(await page.getByRole('status').innerText(), /Your phone number is changed/);
  await page.getByLabel('New phone number').fill('+8613987654321');
  await page.locator('form[action="/account/phone"] button').click();
  assert.equal(new URL(page.url()).pathname, '/account/phone/verify');
  await page.getByLabel('Code sent to the new number').fill(await nextCode(env, '+8613987654321'));
  await page.getByLabel('Code sent to your current number').fill(await nextCode(env, '+8613912345678'));
  await page.getByRole('button', { name: 'Change phone number' }).click();
  assert.match(await page.getByRole('status').innerText(), /Your phone number is changed/);
  assert.equal(await page.locator('.addresses dd').nth(1).innerText(), '+8613987654321 Verified');

  await page.context().clearCookies();
  await page.goto(`${env.url}/login`);
  await signIn(page, 'emil@example.com', 'a long passphrase');
  await page.waitForURL((u) => u.pathname === '/');
  assert.deepEqual(page.problems, []);
});

test('consent: the application lists what it wants, allow redirects with a code, deny with an error', async () => {
  const page = await newPage(browser);
  const first = authorizeURL(env, 'consent', { prefix: 'oidc', scope: 'openid profile email', nonce: 'n1' });
  await page.goto(first.url);
  await signIn(page, env.user.username, env.user.password);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Allow access?');
  assert.match(await page.locator('.lead').innerText(), /Photo Printer would like to:/);
  assert.deepEqual(await page.locator('.scopes li').allInnerTexts(),
    ['Know who you are', 'See your name and profile', 'See your email address']);

  await page.getByRole('button', { name: 'Deny' }).click();
  const denied = callback(env, page, first.state);
  assert.equal(denied.get('error'), 'access_denied');

  const second = authorizeURL(env, 'consent', { prefix: 'oidc', scope: 'openid profile email', nonce: 'n2' });
  await page.goto(second.url);
  await page.getByRole('button', { name: 'Allow' }).click();
  const q = callback(env, page, second.state);
  const tokens = await exchange(env, 'consent', q.get('code'), 'oidc');
  assert.ok(tokens.id_token, 'no id token');

  // Allowed once, not asked again; the home page lists it.
  const third = authorizeURL(env, 'consent', { prefix: 'oidc', scope: 'openid email' });
  await page.goto(third.url);
  callback(env, page, third.state);
  await page.goto(`${env.url}/`);
  assert.deepEqual(await page.locator('.consents .app-name').allInnerTexts(), ['Photo Printer']);
  assert.deepEqual(page.problems, []);
});

test('sign out through /login/profile/logout goes back to the application', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  await signIn(page, env.user.email, env.user.password);
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);
  // The SDKs send redirect_uri unencoded.
  await page.goto(`${env.url}/login/profile/logout?redirect_uri=${env.app_url}/signed-out`);
  assert.equal(page.url(), `${env.app_url}/signed-out`);
  await page.goto(`${env.url}/`);
  assert.equal(await page.locator('.lead').innerText(), 'You are not signed in.');

  // Not on the list: the signed-out page, and no redirect.
  await page.goto(`${env.url}/login/profile/logout?redirect_uri=https://evil.example/`);
  assert.equal(new URL(page.url()).origin, env.url);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'You are signed out');
  assert.match(await page.getByRole('alert').innerText(), /not on its list of logout callbacks/);
});

test('sign out through /oidc/session/end with an id token hint', async () => {
  const page = await newPage(browser);
  const { url, state } = authorizeURL(env, 'first', { prefix: 'oidc', scope: 'openid', nonce: 'n3' });
  await page.goto(url);
  await signIn(page, env.user.username, env.user.password);
  const q = callback(env, page, state);
  const { id_token: idToken } = await exchange(env, 'first', q.get('code'), 'oidc');
  const end = new URLSearchParams({
    id_token_hint: idToken, post_logout_redirect_uri: `${env.app_url}/signed-out`, state: 'bye',
  });
  await page.goto(`${env.url}/oidc/session/end?${end}`);
  assert.equal(page.url(), `${env.app_url}/signed-out?state=bye`);
  await page.goto(`${env.url}/`);
  assert.equal(await page.locator('.lead').innerText(), 'You are not signed in.');
});

test('sign out through /oidc/session/end without a hint asks first', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  await signIn(page, env.user.username, env.user.password);
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);
  const end = new URLSearchParams({
    client_id: env.apps.first.client_id, post_logout_redirect_uri: `${env.app_url}/signed-out`, state: 'bye',
  });
  await page.goto(`${env.url}/oidc/session/end?${end}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign out of GenAuth?');
  assert.equal(await page.locator('.lead').innerText(), 'Acme Notes asks to sign you out of GenAuth on this device.');
  // Staying signed in is a link home.
  await page.getByRole('link', { name: 'Stay signed in' }).click();
  await page.waitForURL(`${env.url}/`);
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);

  // Asked again, the user signs out and goes back to the application.
  await page.goto(`${env.url}/oidc/session/end?${end}`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.origin === env.app_url);
  assert.equal(page.url(), `${env.app_url}/signed-out?state=bye`);
  await page.goto(`${env.url}/`);
  assert.equal(await page.locator('.lead').innerText(), 'You are not signed in.');
  assert.deepEqual(page.problems, []);
});

test('another site cannot sign the user out through /oidc/session/end', async () => {
  const page = await newPage(browser);
  await page.goto(`${env.url}/login`);
  await signIn(page, env.user.username, env.user.password);
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);
  // A page of another origin (the stand-in application) posts a form.
  const postFrom = async (action) => {
    await page.goto(`${env.app_url}/signed-out`);
    await Promise.all([
      page.waitForURL((u) => u.origin === env.url),
      page.evaluate((target) => {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = target;
        document.body.append(f);
        f.submit();
      }, action),
    ]);
  };
  // The logout request only brings up the question,
  await postFrom(`${env.url}/oidc/session/end`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign out of GenAuth?');
  // and the answer to it counts only from GenAuth's own page.
  await postFrom(`${env.url}/oidc/session/end/confirm`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Request refused');
  await page.goto(`${env.url}/`);
  assert.match(await page.locator('.lead').innerText(), /Signed in as/);
});

test('enroll TOTP on the account page, sign out, sign in with password + TOTP', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('tess');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByLabel('Confirm password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');

  await page.goto(`${env.url}/account`);
  assert.equal(await page.getByRole('heading', { name: 'Two-step verification' }).count(), 1);
  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  assert.equal(new URL(page.url()).pathname, '/account/mfa/totp');
  const qr = page.getByRole('img', { name: /QR code/ });
  // The page may be shown before its image has arrived: wait for it to load or fail.
  assert.equal(await qr.evaluate((img) => (img.complete ? img.naturalWidth > 0 : new Promise((resolve) => {
    img.addEventListener('load', () => resolve(img.naturalWidth > 0));
    img.addEventListener('error', () => resolve(false));
  }))), true);
  const secret = await page.locator('code.secret').innerText();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.getByLabel('Authenticator code').fill('000000');
  await page.getByRole('button', { name: 'Turn on' }).click();
  assert.match(await page.locator('#code-error').innerText(), /wrong/);
  assert.equal(await focusedId(page), 'code');
  await page.getByLabel('Authenticator code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  assert.equal(await page.locator('ul.codes li').count(), 10);
  const recovery = await page.locator('ul.codes li').first().innerText();
  await page.getByRole('link', { name: 'I have saved them, continue' }).click();
  assert.match(await page.locator('ul.factors').innerText(), /Authenticator app/);

  await page.goto(`${env.url}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();

  const { url, state } = authorizeURL(env, 'first');
  await page.goto(url);
  await signIn(page, 'tess', 'a long passphrase');
  assert.equal(new URL(page.url()).pathname, '/login/mfa');
  assert.equal(await focusedId(page), 'code');
  await page.getByLabel('Authenticator code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.match(await page.locator('#code-error').innerText(), /wrong/);
  assert.equal(await page.getByLabel('Authenticator code').getAttribute('aria-describedby'), 'code-hint code-error');
  await page.getByLabel('Authenticator code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  const q = callback(env, page, state);
  await exchange(env, 'first', q.get('code'));

  // A recovery code stands in for the app, once.
  await page.goto(`${env.url}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${env.url}/login`);
  await signIn(page, 'tess', 'a long passphrase');
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Use recovery code' }).click();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(page.problems, []);
});

test('step-up: acr_values=urn:genauth:loa:2 asks a one-factor session for its second factor', async () => {
  const page = await newPage(browser, { viewport: PHONE });
  await page.goto(`${env.url}/register`);
  await page.getByLabel('Username').fill('uma');
  await page.getByLabel('Password', { exact: true }).fill('a long passphrase');
  await page.getByLabel('Confirm password').fill('a long passphrase');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  // Enrolled after signing in: the session still proved one factor.
  const secret = await enrollTOTP(env, page);

  const { url, state } = authorizeURL(env, 'first', { prefix: 'oidc', scope: 'openid' });
  await page.goto(`${url}&acr_values=${encodeURIComponent('urn:genauth:loa:2')}`);
  assert.equal(new URL(page.url()).pathname, '/login/mfa');
  assert.equal(await page.locator('#password').count(), 0, 'the step-up asked for the password again');
  await page.getByLabel('Authenticator code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  const q = callback(env, page, state);
  const body = await exchange(env, 'first', q.get('code'), 'oidc');
  const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url'));
  assert.equal(claims.acr, 'urn:genauth:loa:2');
  assert.ok(claims.amr.includes('mfa') && claims.amr.includes('otp'), `amr ${claims.amr}`);
  assert.deepEqual(page.problems, []);
});
