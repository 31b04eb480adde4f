import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { CUSTOMER_TASK_PARTNER_ROLE, PARTNER_TASKS, type PartnerTask, TASKS, type Task } from '../auth/roles.js';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
    /** A file of a GraphQL multipart request (graphql-yoga hands resolvers a File). */
    Upload: { Input: { name: string; size: number; stream(): ReadableStream<Uint8Array> }; Output: never };
  };
  Directives: {
    requiresRole: {
      locations: 'FIELD_DEFINITION';
      args: { task: string; anyOf: string[]; partnerRole: string };
    };
    requiresPartnerRole: {
      locations: 'FIELD_DEFINITION';
      args: { task: string; anyOf: string[] };
    };
  };
}>({
  // relay before the others, so ids are decoded first (DESIGN.md plugin order)
  plugins: [RelayPlugin, DirectivesPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  // graphql-tools' printer reads directives keyed by name (repeatable ones as a list)
  directives: { useGraphQLToolsUnorderedDirectives: true },
  relay: {
    // node/nodes are ours (graphql/types/node.ts): they keep NOT_FOUND and malformed-id errors clear.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
  },
});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time in UTC.',
  serialize: (d) => (d instanceof Date ? d.toISOString() : new Date(String(d)).toISOString()),
  parseValue: (v) => {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO-8601 string.');
    return d;
  },
});

builder.queryType({});
builder.mutationType({});

/**
 * The @requiresRole directives of a customer-side service, from the tasks it declares (services/tasks.ts) and the task
 * table (the same one enforcement reads). A field whose parts need different tasks (updateUser) carries one directive
 * per task.
 */
export function requiresRole(service: { readonly tasks: readonly Task[] }) {
  return service.tasks.map((task) => ({
    name: 'requiresRole' as const,
    args: { task, anyOf: [...TASKS[task].anyOf], partnerRole: CUSTOMER_TASK_PARTNER_ROLE },
  }));
}

/** The @requiresPartnerRole directive of a partner-side service, from the task it declares and the partner task table. */
export function requiresPartnerTask(service: { readonly partnerTask: PartnerTask }) {
  const task = service.partnerTask;
  return [{ name: 'requiresPartnerRole' as const, args: { task, anyOf: [...PARTNER_TASKS[task].anyOf] } }];
}
