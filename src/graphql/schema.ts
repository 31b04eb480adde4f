import { getDirectiveInExtensions, printSchemaWithDirectives } from '@graphql-tools/utils';
import {
  DirectiveLocation,
  defaultFieldResolver,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLSchema,
  GraphQLString,
  isObjectType,
  Kind,
  lexicographicSortSchema,
  specifiedDirectives,
} from 'graphql';
import { DIRECTORY_ROLES } from '../auth/roles.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { userDetailsFirst } from './user-details.js';
import './types/common.js';
import './types/user.js';
import './types/customer.js';
import './types/agent.js';
import './types/application.js';
import './types/gdap.js';
import './types/audit.js';
import './types/webhooks.js';
import './types/capabilities.js';
import './types/activation.js';
import './types/bulk-job.js';
import './types/node.js';
import './types/roles.js';
import './mutations/partner.js';
import './mutations/agents.js';
import './mutations/applications.js';
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
    task: { type: new GraphQLNonNull(GraphQLString), description: 'The customer task (directoryRoles lists them).' },
    anyOf: { type: stringList, description: 'The directory roles, any one of which allows the task.' },
    partnerRole: { type: new GraphQLNonNull(GraphQLString), description: 'The partner role it needs first.' },
  },
});

const requiresPartnerRole = new GraphQLDirective({
  name: 'requiresPartnerRole',
  description:
    'The field is a partner-side task: the caller needs any one of the partner roles `anyOf`. Enforced by the service layer from the same table (src/auth/roles.ts).',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    task: { type: new GraphQLNonNull(GraphQLString), description: 'The partner task (partnerRoles lists them).' },
    anyOf: { type: stringList, description: 'The partner roles, any one of which allows the task.' },
  },
});

/**
 * Introspection does not carry applied directives, so GraphiQL's docs and generated clients would not see who may
 * call a field: each field with a role directive also says it in its description, from the same directive.
 */
function describeRequiredRoles(schema: GraphQLSchema): void {
  const everyRole = [...DIRECTORY_ROLES].sort().join();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const lines = [
        ...(getDirectiveInExtensions(field, 'requiresRole') ?? []).map((d) => {
          const roles =
            [...d.anyOf].sort().join() === everyRole ? 'any directory role' : `one of ${d.anyOf.join(', ')}`;
          return `Task ${d.task}: the partner role ${d.partnerRole} and, in the customer, ${roles}.`;
        }),
        ...(getDirectiveInExtensions(field, 'requiresPartnerRole') ?? []).map(
          (d) => `Task ${d.task}: one of the partner roles ${d.anyOf.join(', ')}.`,
        ),
      ];
      if (lines.length) field.description = [field.description, ...lines].filter(Boolean).join('\n\n');
    }
  }
}

/**
 * Every root mutation field but the first starts with empty per-request caches (the caller's grants, customers, verified
 * domains): a field before it may have changed them (ended a relationship, left a group, added a domain), and a later
 * field is authorized by what holds when it runs. The first may use what the session statement read ahead for it.
 * Root mutation fields run one after the other, so nothing else reads the caches meanwhile.
 */
function freshCachesPerMutationField(schema: GraphQLSchema): void {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: GraphQLContext, info) => {
      const first = info.operation.selectionSet.selections[0];
      const firstKey = first?.kind === Kind.FIELD ? (first.alias ?? first.name).value : null;
      if (info.path.key !== firstKey) {
        context.svc.grantCache.clear();
        context.svc.customerCache.clear();
        context.svc.verifiedDomains.clear();
      }
      return resolve(source, args, context, info);
    };
  }
}

/**
 * The `node` of every connection's edge is read as a plain property. Pothos' relay plugin gives it a resolver,
 * `(edge) => edge.node`, which does what the default does; but graphql-jit builds a resolve info and its path for
 * every resolver it calls (once per edge of a page), and reads a field without one inline. Our edges always hold their
 * node itself, never a promise of it (services/pagination.ts keysetPage builds every connection's edges).
 */
function plainEdgeNodes(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith('Edge')) continue;
    const fields = type.getFields();
    if (fields.node && fields.cursor) fields.node.resolve = undefined;
  }
}

let built: GraphQLSchema | undefined;
export function buildSchema(): GraphQLSchema {
  if (!built) {
    // graphql-js's own (@skip, @include, @deprecated, @specifiedBy) as well: a schema given its directives has only
    // those, and a front end's `@include(if: $showRoles)` was refused as an unknown directive.
    built = builder.toSchema({ directives: [...specifiedDirectives, requiresRole, requiresPartnerRole] });
    describeRequiredRoles(built);
    freshCachesPerMutationField(built);
    plainEdgeNodes(built);
    userDetailsFirst(built);
  }
  return built;
}

export function printSchema(): string {
  return `${printSchemaWithDirectives(lexicographicSortSchema(buildSchema()))}\n`;
}
