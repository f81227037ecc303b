// Languages in Chromium: Accept-Language, the switch on the page (no
// JavaScript), the remembered choice, and translated errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, launch, newPage, authorizeURL, signIn } from './lib.mjs';

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

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);

test('a Chinese browser gets Chinese pages', async () => {
  const page = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(`${env.url}/login`);
  assert.equal(await htmlLang(page), 'zh-CN');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), '登录');
  assert.equal(await page.title(), '登录 · GenAuth');
  await signIn(page, env.user.username, 'wrong');
  assert.equal(await page.locator('#password-error').innerText(), '用户名或密码错误，请检查后重试。');
});

test('the switch changes the language, keeps the way back to the application, and is remembered', async () => {
  const page = await newPage(browser);
  const { url } = authorizeURL(env, 'first');
  await page.goto(url);
  assert.equal(await htmlLang(page), 'en');
  const returnTo = new URL(page.url()).searchParams.get('return_to');

  await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: '简体中文' }).click();
  assert.equal(await htmlLang(page), 'zh-CN');
  assert.equal(new URL(page.url()).searchParams.get('return_to'), returnTo);
  assert.match(await page.locator('.lead').innerText(), /登录以继续使用 Acme Notes/);
  assert.equal(await page.locator('nav.langs [aria-current="true"]').innerText(), '简体中文');

  // Remembered without the parameter, on every page.
  await page.goto(`${env.url}/register`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), '创建账号');
  await page.getByRole('button', { name: '创建账号' }).click();
  assert.equal(await page.locator('#username-error').innerText(), '请填写用户名或邮箱，也可以两者都填。');
  assert.equal(await page.locator('#password-error').innerText(), '密码至少需要 8 个字符。');

  await page.getByRole('navigation', { name: '语言' }).getByRole('link', { name: 'English' }).click();
  assert.equal(await htmlLang(page), 'en');
  await page.goto(`${env.url}/`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Welcome to GenAuth');
});

test('error pages from the protocol endpoints are translated', async () => {
  const page = await newPage(browser, { locale: 'zh-CN' });
  await page.goto(`${env.url}/oauth/auth?client_id=nope&redirect_uri=x&response_type=code`);
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), '授权请求无效');
  assert.equal(await page.getByRole('alert').innerText(), '没有应用使用此 client_id。');
});
