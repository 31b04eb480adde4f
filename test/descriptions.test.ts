// Complete docs: every type, field, argument, input field and enum value of the schema (and every argument of our
// directives) has a description, so GraphiQL's docs and generated clients explain the whole API. Schema only: no
// server, no database.
import {
  type GraphQLArgument,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../src/graphql/schema.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../src/services/pagination.js';

const described = (thing: { description?: string | null }) => Boolean(thing.description?.trim());

/** The paths (Type, Type.field, Type.field(arg), Enum.VALUE, @directive(arg)) that have no description. */
function undocumented(): { missing: string[]; total: number } {
  const schema = buildSchema();
  const missing: string[] = [];
  let total = 0;
  const check = (path: string, thing: { description?: string | null }) => {
    total++;
    if (!described(thing)) missing.push(path);
  };
  const checkArgs = (at: string, args: readonly GraphQLArgument[]) => {
    for (const arg of args) check(`${at}(${arg.name})`, arg);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type.name, type);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field);
        checkArgs(`${type.name}.${field.name}`, field.args);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value);
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    check(`@${directive.name}`, directive);
    checkArgs(`@${directive.name}`, directive.args);
  }
  return { missing: missing.sort(), total };
}

describe('schema descriptions', () => {
  it('describe every type, field, argument, input field, enum value and directive argument', () => {
    const { missing, total } = undocumented();
    expect(missing, `${missing.length} of ${total} schema elements have no description`).toEqual([]);
  });

  it('state the page size of every connection: its default and its maximum', () => {
    const schema = buildSchema();
    const size = new RegExp(`default ${DEFAULT_PAGE_SIZE}, maximum ${MAX_PAGE_SIZE}`, 'i');
    let connections = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.args.some((a) => a.name === 'after')) continue;
        connections++;
        for (const name of ['first', 'last']) {
          const arg = field.args.find((a) => a.name === name);
          expect(arg?.description ?? '', `${type.name}.${field.name}(${name})`).toMatch(size);
        }
      }
    }
    expect(connections).toBeGreaterThan(0);
  });
});
