// Shared set-up for the browser tests: the GenAuth environment, Chromium,
// and small helpers for the flows.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { constants, createHmac, createPublicKey, publicEncrypt } from 'node:crypto';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const browserDir = join(here, '..');

// Flags Debian's Chromium needs as root on a machine with a closed network.
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

// startEnv returns the environment the Go test started (GENAUTH_BROWSER_ENV),
// or builds and starts cmd/testserver when the tests run on their own.
export async function startEnv() {
  if (process.env.GENAUTH_BROWSER_ENV) {
    return { ...JSON.parse(process.env.GENAUTH_BROWSER_ENV), close: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'genauth-testserver-'));
  const bin = join(dir, 'testserver');
  execFileSync('go', ['build', '-o', bin, './cmd/testserver'], { cwd: browserDir, stdio: 'inherit' });
  // stdin stays open: the server exits when it closes, that is when we do.
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`testserver exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  return {
    ...JSON.parse(line),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.GENAUTH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
}

// newPage opens a page in a fresh context (no cookies) and records in
// page.problems console errors (Content-Security-Policy violations among
// them), page errors, and failed loads of anything but the page itself
// (whose 4xx status is often the point). A load aborted because the test
// navigated on is not a problem.
export async function newPage(browser, { viewport = DESKTOP, locale = 'en-US' } = {}) {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  page.on('requestfailed', (r) => {
    const err = r.failure()?.errorText;
    if (r.resourceType() !== 'document' && err !== 'net::ERR_ABORTED') page.problems.push(`${r.url()}: ${err}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') page.problems.push(`${r.url()}: ${r.status()}`);
  });
  return page;
}

let counter = 0;
// authorizeURL is an application's authorization request.
export function authorizeURL(env, app, { prefix = 'oauth', scope, state = `s${++counter}`, nonce } = {}) {
  const q = new URLSearchParams({
    client_id: env.apps[app].client_id,
    redirect_uri: `${env.app_url}/callback`,
    response_type: 'code',
    scope: scope ?? (prefix === 'oidc' ? 'openid profile email' : 'user'),
    state,
  });
  if (nonce) q.set('nonce', nonce);
  return { url: `${env.url}/${prefix}/auth?${q}`, state };
}

// signIn fills the hosted sign-in form the page is on.
export async function signIn(page, username, password) {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('form[action="/login"] button[type="submit"]').click();
}

// callback checks that the page reached the application's callback with the
// state and returns the query.
export function callback(env, page, state) {
  const u = new URL(page.url());
  assert.equal(`${u.origin}${u.pathname}`, `${env.app_url}/callback`, `not at the callback: ${page.url()}`);
  assert.equal(u.searchParams.get('state'), state);
  return u.searchParams;
}

// exchange redeems a code at the token endpoint as the application's back end would.
export async function exchange(env, app, code, prefix = 'oauth') {
  const resp = await fetch(`${env.url}/${prefix}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: `${env.app_url}/callback`,
      client_id: env.apps[app].client_id, client_secret: env.apps[app].client_secret,
    }),
  });
  const body = await resp.json();
  assert.equal(resp.status, 200, JSON.stringify(body));
  return body;
}

// The axe-core source, injected through the DevTools protocol: the pages'
// Content-Security-Policy rightly refuses it as a script tag.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// axeViolations returns the serious and critical accessibility violations on the page.
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// rsaEncrypt encrypts a password as the SDKs' passwordEncryptType 'rsa'
// does: PKCS #1 v1.5 under the key GET /api/v3/system publishes, base64.
export async function rsaEncrypt(client, password) {
  const info = await client.getSystemInfo();
  const key = createPublicKey({ key: Buffer.from(info.rsa.publicKey, 'base64'), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password)).toString('base64');
}

// totp is the RFC 6238 code (HMAC-SHA1, 6 digits, 30-second steps) of a
// base32 secret for the time step `ahead` steps from now: a step ahead is
// within the server's drift and later than the step an enrollment used.
export function totp(secret, ahead = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const key = [];
  let bits = 0;
  let value = 0;
  for (const c of secret.replace(/=+$/, '')) {
    value = ((value << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + ahead));
  const h = createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, '0');
}

// enrollTOTP sets up an authenticator app for the signed-in user from the
// account page and returns its secret, leaving the page on the recovery codes.
export async function enrollTOTP(env, page) {
  await page.goto(`${env.url}/account/mfa/totp`);
  const secret = await page.locator('code.secret').innerText();
  await page.locator('#code').fill(totp(secret));
  await page.locator('form[action="/account/mfa/totp"] button[type="submit"]').click();
  await page.locator('ul.codes').waitFor();
  return secret;
}

// nextCode is the code of the next message to the address: the
// environment's test-only endpoint waits for it to arrive.
export async function nextCode(env, to) {
  const r = await fetch(`${env.messages_url}?to=${encodeURIComponent(to)}`);
  assert.equal(r.status, 200, `no message arrived for ${to}`);
  const { code } = await r.json();
  assert.match(code, /^[0-9]{6}$/);
  return code;
}

// virtualAuthenticator gives the page's browser a passkey authenticator
// through the DevTools protocol's WebAuthn domain: built in (a platform
// authenticator), holding discoverable credentials, verifying the user
// (a fingerprint, say) unless told not to. It returns the DevTools session
// and the authenticator's id.
export async function virtualAuthenticator(page, { verified = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: verified, automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

// addPasskey adds a passkey named name on the account page (at base, the
// environment's passkey_url) for the signed-in user, whose sign-in is
// recent, and leaves the page on the account page. A first factor comes
// with recovery codes: it returns them ([] when none were shown).
export async function addPasskey(page, base, name) {
  await page.goto(`${base}/account#passkeys`);
  await page.locator('#passkey_name').fill(name);
  await page.locator('form[data-passkey="register"] button[type="submit"]').click();
  await page.waitForURL((u) => u.pathname !== '/account' || u.search.includes('changed=passkey'));
  let codes = [];
  if (await page.locator('ul.codes').count() > 0) {
    codes = await page.locator('ul.codes li').allInnerTexts();
    await page.locator('a.button').click();
  }
  await page.waitForURL((u) => u.pathname === '/account' && u.search.includes('changed=passkey'));
  return codes;
}

// upstreamSignIn starts a sign-in through the upstream GenAuth from the
// sign-in page the page is on and signs in there as its user; the page is
// then back at this GenAuth (or the application), wherever the sign-in led.
export async function upstreamSignIn(env, page) {
  await page.locator(`a.idp[href^="/connections/${env.upstream.connection}/start"]`).click();
  await page.waitForURL((u) => u.origin === env.upstream.url && u.pathname === '/login');
  await signIn(page, env.upstream.user.username, env.upstream.user.password);
  await page.waitForURL((u) => u.origin !== env.upstream.url);
}

// The last time step each seeded administrator's code was used in: the
// server accepts a step once, so a second sign-in waits for a fresh one.
const adminSteps = new Map();

// consoleSignIn signs the seeded administrator `name` (env.admins) in to
// the admin console: the hosted sign-in, the authenticator code, then the
// console's own session. It leaves the page on path (default the overview).
export async function consoleSignIn(env, page, name, path = '/console/') {
  const admin = env.admins[name];
  assert.ok(admin, `no seeded administrator ${name}`);
  await page.goto(`${env.url}${path}`);
  await signIn(page, admin.username, admin.password);
  assert.equal(new URL(page.url()).pathname, '/login/mfa');
  let step = Math.floor(Date.now() / 30000);
  const last = adminSteps.get(name);
  if (last !== undefined && last >= step) {
    await new Promise((resolve) => setTimeout(resolve, (last + 1) * 30000 - Date.now() + 200));
    step = Math.floor(Date.now() / 30000);
  }
  adminSteps.set(name, step);
  await page.locator('#code').fill(totp(admin.totp_secret));
  await page.locator('form:has(#code) button[type="submit"]').click();
  assert.equal(new URL(page.url()).pathname, new URL(path, env.url).pathname);
}
