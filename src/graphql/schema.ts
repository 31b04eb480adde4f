import { printSchemaWithDirectives } from '@graphql-tools/utils';
import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLSchema,
  GraphQLString,
  lexicographicSortSchema,
} from 'graphql';
import { builder } from './builder.js';
import './types/common.js';
import './types/user.js';
import './types/customer.js';
import './types/agent.js';
import './types/gdap.js';
import './types/activation.js';
import './types/bulk-job.js';
import './types/node.js';
import './mutations/partner.js';
import './mutations/agents.js';
import './mutations/activations.js';
import './mutations/users/create.js';
import './mutations/users/delete.js';
import './mutations/users/reset-password.js';
import './mutations/users/restore.js';
import './mutations/users/update.js';
import './mutations/bulk.js';

const stringList = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString)));

const requiresRole = new GraphQLDirective({
  name: 'requiresRole',
  description:
    'The field is a customer task: the caller needs the partner role `partnerRole` and, through an active GDAP relationship, any one of the directory roles `anyOf`. Enforced by the service layer from the same table.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  isRepeatable: true,
  args: {
    task: { type: new GraphQLNonNull(GraphQLString) },
    anyOf: { type: stringList },
    partnerRole: { type: new GraphQLNonNull(GraphQLString) },
  },
});

const requiresPartnerRole = new GraphQLDirective({
  name: 'requiresPartnerRole',
  description:
    'The field is a partner-side task: the caller needs any one of the partner roles `anyOf`. Enforced by the service layer from the same table (src/auth/roles.ts).',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: { task: { type: new GraphQLNonNull(GraphQLString) }, anyOf: { type: stringList } },
});

let built: GraphQLSchema | undefined;
export function buildSchema(): GraphQLSchema {
  built ??= builder.toSchema({ directives: [requiresRole, requiresPartnerRole] });
  return built;
}

export function printSchema(): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(buildSchema()))}\n`;
}
