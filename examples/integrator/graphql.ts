// Operations typed from schema/schema.graphql by gql.tada: `npm run example:check` generates graphql-env.d.ts from
// the schema and type-checks every operation (a field that does not exist, or a wrong variable, fails it).
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string };
}>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';
