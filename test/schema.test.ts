import { readFileSync } from 'node:fs';
import { getDirectiveInExtensions } from '@graphql-tools/utils';
import { isObjectType, type GraphQLEnumType } from 'graphql';
import { ACCESS_ERROR_CODES, USER_ERROR_CODES, type ErrorCode } from '../src/services/errors.js';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../src/auth/roles.js';
import { buildSchema, printSchema } from '../src/graphql/schema.js';

describe('error codes', () => {
  it('every code the services can emit is a value of UserErrorCode (payloads) and, for access codes, AccessErrorCode', () => {
    const schema = buildSchema();
    const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => v.name);
    // Every code a DomainError may carry, from the type the services use; a code added there and not to an enum fails.
    const all: Record<ErrorCode, true> = Object.fromEntries([...USER_ERROR_CODES, ...ACCESS_ERROR_CODES].map((c) => [c, true])) as Record<ErrorCode, true>;
    expect(values('UserErrorCode').sort()).toEqual(Object.keys(all).sort());
    expect(values('AccessErrorCode').sort()).toEqual([...ACCESS_ERROR_CODES].sort());
  });
});

describe('schema/schema.graphql', () => {
  it('is what the code prints (run npm run schema:print after changing the schema)', () => {
    expect(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8')).toBe(printSchema());
  });

  it('shows on every role directive exactly the roles of its task in the table', () => {
    const schema = buildSchema();
    let seen = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        for (const d of getDirectiveInExtensions(field, 'requiresRole') ?? []) {
          seen++;
          const task = d.task as keyof typeof TASKS;
          expect(TASKS[task], `${type.name}.${field.name}`).toBeDefined();
          expect(d.anyOf).toEqual([...TASKS[task].anyOf]);
          expect(d.partnerRole).toBe('ADMIN_AGENT');
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
    for (const m of ['createUser', 'deleteUser', 'restoreUser', 'resetUserPassword', 'updateUser']) {
      expect(printSchema()).toMatch(new RegExp(`${m}\\(input: \\w+!\\): \\w+! @requiresRole`));
    }
  });
});
