// Messages a UI can use (issue 12): every error carries its code and its params; the text comes from one catalogue,
// in English or French by Accept-Language.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../src/messages/catalogue.js';
import { localeOf, type MessageKey, render } from '../src/messages/index.js';
import type { Violation } from '../src/services/validation.js';
import { startServer, type TestServer } from './support/server.js';
import {
  type Customer,
  createCustomer,
  createPartner,
  createUser,
  grantAgent,
  type Partner,
  skuId,
} from './support/world.js';

describe('Accept-Language', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['fr', 'fr'],
    ['fr-FR', 'fr'],
    ['fr-CA,fr;q=0.9', 'fr'],
    ['de-DE, fr;q=0.5, en;q=0.4', 'fr'],
    ['en-GB, fr;q=0.8', 'en'],
    ['fr;q=0.2, en;q=0.9', 'en'],
    ['de', 'en'],
    ['*', 'en'],
    ['fr;q=0', 'en'],
    ['garbage;;;q=x', 'en'],
  ])('%s answers %s', (header, locale) => {
    expect(localeOf(header)).toBe(locale);
  });
});

describe('the catalogue', () => {
  const VIOLATIONS: Violation[] = [
    { rule: 'required' },
    { rule: 'tooLong', max: 64 },
    { rule: 'tooShort', min: 8 },
    { rule: 'atMost', max: 256 },
    { rule: 'controlCharacters' },
    { rule: 'invisibleCharacter', character: 'U+200B' },
    { rule: 'characterNotAllowed', character: '€' },
    { rule: 'characterClasses' },
    { rule: 'domainLabels' },
    { rule: 'domainLabelCharacters' },
    { rule: 'upnShape' },
    { rule: 'aliasTooLong', max: 64 },
    { rule: 'aliasCharacters' },
    { rule: 'aliasDots' },
    { rule: 'upnDomain', domain: { rule: 'domainLabels' } },
    { rule: 'countryFormat' },
    { rule: 'notCountry', value: 'XX' },
  ];

  it.each(VIOLATIONS)('the rule $rule reads in both languages, differently', (v) => {
    const m = { key: 'field.violation' as MessageKey, params: { subject: 'displayName', ...v } };
    const en = render(m, 'en');
    const fr = render(m, 'fr');
    expect(en).toMatch(/^The display name .+\.$/);
    expect(fr).toMatch(/^Nom d'affichage : .+\.$/);
    expect(fr).not.toBe(en);
    for (const value of Object.values(v).filter((x) => typeof x !== 'string' || x !== v.rule)) {
      if (typeof value !== 'object') {
        expect(en).toContain(String(value));
        expect(fr).toContain(String(value));
      }
    }
  });

  it('every entry has an English and a French text', () => {
    for (const [key, entry] of Object.entries(MESSAGES)) {
      expect(typeof entry.en, key).toBe('function');
      expect(typeof entry.fr, key).toBe('function');
    }
    expect(Object.keys(MESSAGES).length).toBeGreaterThan(100);
  });

  it('no service or resolver writes its own prose into an error', () => {
    // An error's second argument is a catalogue Message (msg(…)), never a string or a template.
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          const bad =
            /new DomainError\(\s*'[A-Z_]+',\s*[`'"]/g.test(text) ||
            /\binvalid\(\s*[^,]+,\s*[`'"]/g.test(text) ||
            /createGraphQLError\(\s*[`'"]/g.test(text);
          if (bad) offenders.push(path);
        }
      }
    };
    walk('src');
    expect(offenders).toEqual([]);
  });
});

let s: TestServer;
let partner: Partner;
let customer: Customer;
let admin: string;

async function ask(query: string, variables: Record<string, unknown>, token: string, language?: string) {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(language === undefined ? {} : { 'accept-language': language }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { headers: res.headers, body: (await res.json()) as any };
}

beforeAll(async () => {
  s = await startServer();
  partner = await createPartner(s);
  customer = await createCustomer(s, partner, [['O365_BUSINESS_ESSENTIALS', 1]]);
  admin = (await grantAgent(s, partner, customer, ['USER_ADMINISTRATOR'])).agentToken;
});
afterAll(() => s.close());

const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { field code message params } } }`;

describe('over HTTP', () => {
  it('a userError reads in French when asked, with the same code and params', async () => {
    const i = { customerId: customer.id, userPrincipalName: 'someone@not-ours.example.com', displayName: 'X' };
    const en = (await ask(CREATE, { i }, admin)).body.data.createUser.userErrors;
    const fr = (await ask(CREATE, { i }, admin, 'fr-FR,fr;q=0.9,en;q=0.8')).body.data.createUser.userErrors;
    expect(en).toEqual([
      {
        field: ['userPrincipalName'],
        code: 'DOMAIN_NOT_VERIFIED',
        message: 'The domain not-ours.example.com is not a verified domain of this customer.',
        params: { domain: 'not-ours.example.com' },
      },
    ]);
    expect(fr).toHaveLength(1);
    expect(fr[0]).toMatchObject({ field: en[0].field, code: en[0].code, params: en[0].params });
    expect(fr[0].message).toContain('not-ours.example.com');
    expect(fr[0].message).toMatch(/domaine/i);
    expect(fr[0].message).not.toBe(en[0].message);
  });

  it('every field error of one input is rendered, each with its params', async () => {
    const i = {
      customerId: customer.id,
      userPrincipalName: `ok@${customer.domain}`,
      displayName: 'X',
      firstName: 'x'.repeat(65),
      usageLocation: 'XX',
    };
    const fr = (await ask(CREATE, { i }, admin, 'fr')).body.data.createUser.userErrors;
    const byField = Object.fromEntries(fr.map((e: { field: string[] }) => [e.field.join('.'), e]));
    expect(byField.firstName).toMatchObject({
      code: 'TOO_LONG',
      message: 'Prénom : dépasse 64 caractères.',
      params: { subject: 'firstName', rule: 'tooLong', max: 64 },
    });
    expect(byField.usageLocation).toMatchObject({
      code: 'INVALID',
      message: "Emplacement d'utilisation : XX n'est pas un code de pays.",
      params: { subject: 'usageLocation', rule: 'notCountry', value: 'XX' },
    });
  });

  it('a seat refusal says how many seats there are, in params', async () => {
    const sku = await skuId(s, 'O365_BUSINESS_ESSENTIALS', admin);
    await createUser(s, admin, customer, { usageLocation: 'FR', licenseSkuIds: [sku] });
    const i = {
      customerId: customer.id,
      userPrincipalName: `seat@${customer.domain}`,
      displayName: 'Seat',
      usageLocation: 'FR',
      licenseSkuIds: [sku],
    };
    const [error] = (await ask(CREATE, { i }, admin, 'fr')).body.data.createUser.userErrors;
    expect(error.code).toBe('NO_SEATS');
    expect(error.params).toMatchObject({ partNumber: 'O365_BUSINESS_ESSENTIALS', total: 1 });
    expect(error.message).toMatch(/licence|siège/i);
  });

  it('a top-level refusal carries code, params and a French message', async () => {
    const reader = (await grantAgent(s, partner, customer, ['DIRECTORY_READERS'])).agentToken;
    const i = { customerId: customer.id, userPrincipalName: `r@${customer.domain}`, displayName: 'R' };
    const en = (await ask(CREATE, { i }, reader)).body.errors[0];
    const fr = (await ask(CREATE, { i }, reader, 'fr')).body.errors[0];
    expect(en.message).toBe(
      'To create users you need one of: DIRECTORY_WRITERS, USER_ADMINISTRATOR, GLOBAL_ADMINISTRATOR.',
    );
    expect(en.extensions).toMatchObject({
      code: 'FORBIDDEN',
      params: {
        task: 'CREATE_USER',
        requiredRoles: ['DIRECTORY_WRITERS', 'USER_ADMINISTRATOR', 'GLOBAL_ADMINISTRATOR'],
      },
    });
    expect(fr.extensions).toEqual(en.extensions);
    expect(fr.message).toBe(
      "Pour créer des utilisateurs, il faut l'un de ces rôles : Enregistreurs de répertoire, Administrateur d'utilisateurs ou Administrateur général.",
    );
  });

  it('errors from outside the services have params too, and ours read in French', async () => {
    const page = (n: number) => `query($id: ID!) { customer(id: $id) { users(first: ${n}) { totalCount } } }`;
    const size = (await ask(page(501), { id: customer.id }, admin, 'fr')).body.errors[0];
    expect(size.extensions).toMatchObject({ code: 'BAD_USER_INPUT', params: { field: 'first', max: 500 } });
    expect(size.message).toBe('first doit être compris entre 0 et 500.');
    const cost = (await ask(page(100_000), { id: customer.id }, admin, 'fr')).body.errors[0];
    expect(cost.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      params: { limit: 50_000, requested: 100_002 },
    });
    expect(cost.message).toMatch(/^Cette requête peut renvoyer jusqu'à 100002 objets/);
    // graphql-js's own validation: English (the spec's words), with a code and empty params.
    const unknown = (await ask('{ nope }', {}, admin, 'fr')).body.errors[0];
    expect(unknown.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', params: {} });
    // The input guard, before any resolver.
    const guard = (
      await ask(
        CREATE,
        { i: { customerId: customer.id, userPrincipalName: 'a@b.c', displayName: 'a\u200Bb' } },
        admin,
        'fr',
      )
    ).body.errors[0];
    expect(guard.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      params: { name: 'displayName', character: 'U+200B' },
    });
    expect(guard.message).toMatch(/caractère non autorisé/);
  });

  it('says which language it answered in', async () => {
    const q = `{ viewer { kind } }`;
    expect((await ask(q, {}, admin, 'fr-BE')).headers.get('content-language')).toBe('fr');
    expect((await ask(q, {}, admin)).headers.get('content-language')).toBe('en');
    expect((await ask(q, {}, admin, 'fr')).headers.get('vary')?.toLowerCase()).toContain('accept-language');
  });
});
