import { readFileSync } from 'node:fs';
import { getDirectiveInExtensions } from '@graphql-tools/utils';
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../src/auth/roles.js';
import { buildSchema, printSchema } from '../src/graphql/schema.js';

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
