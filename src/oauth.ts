// POST /oauth/token: OAuth 2.0 client credentials (RFC 6749 §4.4) for applications. The client authenticates with
// HTTP Basic or with client_id/client_secret in the body (a form, or JSON), never both (§2.3); the answer is a bearer
// token for the GraphQL API (§5.1) or an error object (§5.2), never cached. `scope` is accepted and ignored: a token
// carries the application's partner roles and GDAP groups, nothing narrower.
import type { Plugin } from 'graphql-yoga';
import type { Clock } from './clock.js';
import type { Db } from './db/client.js';
import { APPLICATION_TOKEN_TTL_MS, issueApplicationToken, OAuthError } from './services/applications.js';
import type { RatePolicy } from './services/rate-limits.js';

export const TOKEN_PATH = '/oauth/token';

const NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' };

function answer(status: number, body: object, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...NO_STORE, ...headers } });
}

function oauthError(e: OAuthError): Response {
  // invalid_client is 401, and a 401 names the scheme to retry with (§5.2, RFC 7235); a spent budget is 429.
  const status = e.error === 'invalid_client' ? 401 : e.error === 'temporarily_unavailable' ? 429 : 400;
  return answer(
    status,
    { error: e.error, error_description: e.description },
    {
      ...(status === 401 ? { 'www-authenticate': 'Basic realm="oauth", charset="UTF-8"' } : {}),
      ...(e.retryAfterSeconds ? { 'retry-after': String(e.retryAfterSeconds) } : {}),
    },
  );
}

async function readParameters(request: Request): Promise<Record<string, string>> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const text = await request.text();
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    // §3.2: a parameter sent twice is an error, not a choice to make for the client.
    const names = [...form.keys()];
    if (new Set(names).size !== names.length) throw new OAuthError('invalid_request', 'A parameter is repeated.');
    return Object.fromEntries(form);
  }
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new OAuthError('invalid_request', 'The body is not valid JSON.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new OAuthError('invalid_request', 'The body must be a JSON object.');
    return Object.fromEntries(
      Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  }
  throw new OAuthError(
    'invalid_request',
    'Send the parameters as application/x-www-form-urlencoded (or application/json).',
  );
}

/** HTTP Basic credentials, each part form-url-encoded (§2.3.1). */
function basicCredentials(header: string | null): { id: string; secret: string } | null {
  if (header === null) return null;
  const encoded = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i)?.[1];
  if (!encoded) throw new OAuthError('invalid_client', 'Authenticate with HTTP Basic (client_id:client_secret).');
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_request', 'HTTP Basic credentials are client_id:client_secret.');
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new OAuthError('invalid_request', 'The HTTP Basic credentials are not form-url-encoded.');
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

export async function tokenResponse(
  request: Request,
  db: Db,
  clock: Clock,
  policy: RatePolicy | null = null,
): Promise<Response> {
  if (request.method !== 'POST')
    return answer(405, { error: 'invalid_request', error_description: 'POST only.' }, { allow: 'POST' });
  try {
    const fromHeader = basicCredentials(request.headers.get('authorization'));
    const params = await readParameters(request);
    if (!params.grant_type) throw new OAuthError('invalid_request', 'grant_type is required.');
    if (params.grant_type !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
    }
    if (fromHeader && (params.client_id !== undefined || params.client_secret !== undefined)) {
      throw new OAuthError('invalid_request', 'Authenticate one way: HTTP Basic or client_id/client_secret, not both.');
    }
    const id = fromHeader?.id ?? params.client_id;
    const secret = fromHeader?.secret ?? params.client_secret;
    if (!id || !secret) throw new OAuthError('invalid_client', 'client_id and client_secret are required.');
    const { token } = await issueApplicationToken(db, clock, id, secret, policy);
    return answer(200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.floor(APPLICATION_TOKEN_TTL_MS / 1000),
    });
  } catch (e) {
    if (e instanceof OAuthError) return oauthError(e);
    throw e;
  }
}

/** Serves TOKEN_PATH before GraphQL sees the request. */
export function oauthTokenEndpoint(db: Db, clock: Clock, policy: RatePolicy | null): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === TOKEN_PATH) endResponse(await tokenResponse(request, db, clock, policy));
    },
  };
}
