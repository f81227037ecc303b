// Upstream identity providers through authing-node-sdk 4.0.1: an
// administrator configures them with the ManagementClient, an application
// lists them and a signed-in user reads and links identities with the
// AuthenticationClient. When the Go test started a slapd (GENAUTH_LDAP:
// url, bind_dn, bind_password, base_dn, user, password), a user also signs
// in with their directory account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startEnv } from './lib.mjs';

const { AuthenticationClient, ManagementClient } = createRequire(import.meta.url)('authing-node-sdk');

let env;
let admin;
const client = () => new AuthenticationClient({
  appId: env.apps.first.client_id, appSecret: env.apps.first.client_secret, appHost: env.url,
});
before(async () => {
  env = await startEnv();
  admin = new ManagementClient({
    accessKeyId: env.management.access_key_id, accessKeySecret: env.management.access_key_secret, host: env.url,
  });
});
after(async () => {
  await env?.close();
});

function ok(r) {
  assert.equal(r.statusCode, 200, JSON.stringify(r));
  return r.data;
}

test('providers configured by the management client, listed, linked and unlinked by the authentication client', async () => {
  const appId = env.apps.first.client_id;
  const corp = ok(await admin.createExtIdp({ name: 'Corp SSO', type: 'oidc' }));
  assert.equal(corp.type, 'oidc');
  // The issuer is never asked: discovery happens when a sign-in starts.
  const conn = ok(await admin.createExtIdpConn({
    extIdpId: corp.id, type: 'oidc', identifier: 'node-corp', displayName: 'Corp',
    fields: { issuer: 'https://sso.corp.invalid', clientId: 'genauth', clientSecret: 'never shown' },
  }));
  assert.equal(conn.identifier, 'node-corp');
  assert.equal(conn.hasSecret, true);
  assert.ok(!JSON.stringify(conn).includes('never shown'));
  assert.equal(conn.redirectUri, `${env.url}/connections/node-corp/callback`);
  ok(await admin.changeExtIdpConnState({ id: conn.id, appId, enabled: true }));

  const listed = ok(await admin.listExtIdp({ appId }));
  assert.ok(listed.list.some((p) => p.id === corp.id), JSON.stringify(listed));
  const detail = ok(await admin.getExtIdp({ id: corp.id }));
  assert.equal(detail.connections.length, 1);
  assert.deepEqual(detail.connections[0].enabledAppIds, [appId]);
  assert.ok(!JSON.stringify(detail).includes('never shown'));

  const enabled = ok(await client().getApplicationEnabledExtIdps());
  const mine = enabled.find((e) => e.identifier === 'node-corp');
  assert.deepEqual([mine.extIdpId, mine.type, mine.extIdpType, mine.name], [corp.id, 'oidc', 'social', 'Corp']);
  assert.equal(mine.bindUrl, `${env.url}/connections/node-corp/start`);

  const user = client();
  const tokens = ok(await user.signInByUsernamePassword({
    username: env.user.username, password: env.user.password, options: { scope: 'openid profile' },
  }));
  user.setAccessToken(tokens.access_token);
  assert.deepEqual(ok(await user.getIdentities()), []);

  const link = ok(await user.generateLinkExtIdpUrl({ extIdpConnIdentifier: 'node-corp', appId, idToken: tokens.id_token }));
  assert.match(link.url, new RegExp(`^${env.url}/connections/node-corp/link\\?ticket=.+`));
  const forged = await user.generateLinkExtIdpUrl({ extIdpConnIdentifier: 'node-corp', appId, idToken: `${tokens.id_token}x` });
  assert.deepEqual([forged.statusCode, forged.apiCode], [401, 2020], JSON.stringify(forged));

  const missing = await user.unlinkExtIdp({ extIdpId: corp.id });
  assert.equal(missing.statusCode, 404, JSON.stringify(missing));

  ok(await admin.changeExtIdpConnState({ id: conn.id, appIds: [appId], enabled: false }));
  assert.ok(!ok(await client().getApplicationEnabledExtIdps()).some((e) => e.identifier === 'node-corp'));
  ok(await admin.deleteExtIdp({ id: corp.id }));
  assert.equal((await admin.getExtIdp({ id: corp.id })).statusCode, 404);
});

test('sign-in with a directory account', { skip: !process.env.GENAUTH_LDAP && 'no slapd (GENAUTH_LDAP) was started' }, async () => {
  const ldap = JSON.parse(process.env.GENAUTH_LDAP ?? '{}');
  const appId = env.apps.first.client_id;
  const dir = ok(await admin.createExtIdp({ name: 'Staff directory', type: 'ldap' }));
  const conn = ok(await admin.createExtIdpConn({
    extIdpId: dir.id, type: 'ldap', identifier: 'node-staff', displayName: 'Staff',
    fields: { url: ldap.url, bindDn: ldap.bind_dn, baseDn: ldap.base_dn, bindPassword: ldap.bind_password },
  }));
  ok(await admin.changeExtIdpConnState({ id: conn.id, appId, enabled: true }));
  try {
    const wrong = await client().signInByLDAP({ sAMAccountName: ldap.user, password: 'not the password' });
    assert.deepEqual([wrong.statusCode, wrong.apiCode], [403, 2333], JSON.stringify(wrong));
    const ad = await client().signInByAD({ sAMAccountName: ldap.user, password: ldap.password });
    assert.deepEqual([ad.statusCode, ad.apiCode], [400, 2820002], JSON.stringify(ad));

    const user = client();
    const tokens = ok(await user.signInByLDAP({ sAMAccountName: ldap.user, password: ldap.password, options: { scope: 'openid email' } }));
    user.setAccessToken(tokens.access_token);
    const identities = ok(await user.getIdentities());
    assert.deepEqual(identities.map((i) => [i.extIdpId, i.provider, i.type]), [[dir.id, 'ldap', 'primary']]);
    const { sub } = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url'));
    const users = ok(await admin.getUserIdentities({ userId: sub }));
    assert.deepEqual(users.map((i) => i.identityId), [identities[0].identityId]);
    assert.ok(!('accessToken' in users[0]));
  } finally {
    ok(await admin.deleteExtIdp({ id: dir.id }));
  }
});
