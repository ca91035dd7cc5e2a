// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider
// (OpenID-certified), on 127.0.0.1, configured from one JSON document in
// HEARTH_PROVIDER_CONFIG (see tests/identity/provider.py, which starts it):
//
//   { "modules": ".../var/node/node_modules", "port": 0, "now": <epoch seconds>,
//     "client": { "client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri" },
//     "jwk": { private signing JWK }, "accounts": { "<login>": { "email", ... } } }
//
// It prints "listening <issuer>" once it accepts connections.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.env.HEARTH_PROVIDER_CONFIG);

// The provider's clock starts where the test's (time-machine) clock stands, so the
// tokens it signs are fresh by the test's "now", on any date the tests run at.
const RealDate = Date;
const shift = config.now * 1000 - RealDate.now();
class TestDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + shift);
    else super(...args);
  }

  static now() {
    return RealDate.now() + shift;
  }
}
globalThis.Date = TestDate;

const entry = pathToFileURL(join(config.modules, 'oidc-provider', 'lib', 'index.js'));
const { default: Provider } = await import(entry.href);

const { client, accounts } = config;

const provider = new Provider(`http://127.0.0.1:${config.port}`, {
  clients: [
    {
      client_id: client.client_id,
      client_secret: client.client_secret,
      client_name: 'Hearth',
      redirect_uris: [client.redirect_uri],
      post_logout_redirect_uris: [client.post_logout_redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  jwks: { keys: [config.jwk] },
  cookies: { keys: ['hearth-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // The dev interactions' login form takes any password: the login is the account.
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
});

// Cookies are set on the test's clock, which need not be the browser's: sent without
// a date they last as long as the browser (a deletion, dated 1970, still deletes).
provider.use(async (ctx, next) => {
  await next();
  const cookies = ctx.response.get('set-cookie');
  if (Array.isArray(cookies) && cookies.length) {
    ctx.response.set(
      'set-cookie',
      cookies.map((c) => (/expires=Thu, 01 Jan 1970/i.test(c) ? c : c.replace(/;\s*expires=[^;]*/i, ''))),
    );
  }
});

const server = createServer(provider.callback());
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${provider.issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
