import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { CUSTOMER_TASK_PARTNER_ROLE, PARTNER_TASKS, type PartnerTask, TASKS, type Task } from '../auth/roles.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../services/pagination.js';
import type { GraphQLContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    /** Output only: the parameters of a message. */
    JSONObject: { Input: never; Output: Readonly<Record<string, unknown>> };
    ID: { Input: string; Output: string };
    /** A file of a GraphQL multipart request (graphql-yoga hands resolvers a File). */
    Upload: { Input: { name: string; size: number; stream(): ReadableStream<Uint8Array> }; Output: never };
  };
  /** What every connection resolver returns besides its edges: services/pagination.ts keysetPage builds both. */
  Connection: { totalCount: () => Promise<number> };
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
    // Described here once for every node and connection (Complete docs: each type, field and argument has one).
    nodeTypeOptions: { description: 'An object with a global id, which Query.node fetches.' },
    idFieldOptions: { description: 'The global id: opaque and stable; Query.node takes it.' },
    pageInfoTypeOptions: { description: 'Where a page stands in its connection, and the cursors to page on from.' },
    hasNextPageFieldOptions: {
      description: 'Paging forward (first): more items follow this page. Paging backward (last): `before` was given.',
    },
    hasPreviousPageFieldOptions: {
      description: 'Paging backward (last): more items precede this page. Paging forward (first): `after` was given.',
    },
    startCursorFieldOptions: {
      description: "The first edge's cursor: `before` for the previous page. Null when the page is empty.",
    },
    endCursorFieldOptions: {
      description: "The last edge's cursor: `after` for the next page. Null when the page is empty.",
    },
    defaultConnectionTypeOptions: {
      description: 'A page of a list (Relay cursor connection): its edges in the order of the field, and pageInfo.',
    },
    defaultEdgeTypeOptions: { description: 'One item of a page, with its cursor.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    pageInfoFieldOptions: { description: 'Whether more pages exist, and the cursors to fetch them from.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: {
      description: 'Opaque: pass it as `after` (or `before`) to page on from this item. Valid only on this field.',
    },
    firstArgOptions: {
      description: `Page forward: at most this many items, after \`after\` (or from the start). Default ${DEFAULT_PAGE_SIZE}, maximum ${MAX_PAGE_SIZE} (INVALID above); not with \`last\`.`,
    },
    afterArgOptions: {
      description: "A cursor from this field (an edge's cursor or pageInfo.endCursor): start after it.",
    },
    lastArgOptions: {
      description: `Page backward: at most this many items, before \`before\` (or up to the end). Default ${DEFAULT_PAGE_SIZE}, maximum ${MAX_PAGE_SIZE} (INVALID above); not with \`first\`.`,
    },
    beforeArgOptions: {
      description: "A cursor from this field (an edge's cursor or pageInfo.startCursor): end before it.",
    },
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

builder.scalarType('JSONObject', {
  description:
    "A JSON object, output only: a message's parameters (names, numbers, lists of strings), for a UI that writes its own text.",
  serialize: (v) => v,
  parseValue: () => {
    throw new TypeError('JSONObject is an output-only scalar.');
  },
});

builder.queryType({
  description: `What a signed-in agent, application or customer user may read. Lists that may be long are connections (page size default ${DEFAULT_PAGE_SIZE}, maximum ${MAX_PAGE_SIZE}).`,
});
builder.mutationType({
  description:
    "Changes. A refused input comes back in the payload's userErrors (nothing changed); a refused access is a top-level error (AccessErrorCode).",
});

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

// Every connection says how many items it holds with its filters: a list screen's "Deleted users (12)".
builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description:
      'How many items the whole list holds with its filters, whatever the page: counted only when asked for (one statement; see BENCHMARKS.md for its cost on a large customer).',
    resolve: (connection) => connection.totalCount(),
  }),
);
