// A hard budget on what one request may return, counted with its variables. graphql-armor's cost limit runs at
// validation, before variables are known, so `users(first: $n)` nested twice with n = 500 passed it (250 000 nodes).
// graphql-query-complexity evaluates the operation with its variables. The estimator counts every field once, a
// connection's fields `first` times (its default page when not given), and a plain list's fields LIST_SIZE times.

import {
  type DocumentNode,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isListType,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE_SIZE } from '../services/pagination.js';

/** What an unpaged list of objects (a customer's licences, a partner's agents) is assumed to hold. */
const LIST_SIZE = 20;
/** How many selections the count may walk: fragments spread many times multiply them; past this, the request is refused. */
const MAX_WALK = 100_000;

const estimate: ComplexityEstimator = ({ type: parent, field, args, childComplexity }) => {
  // A connection's edges are its page, already counted `first` times by the connection field.
  if (parent.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes'))
    return 1 + childComplexity;
  if (field.args.some((a) => a.name === 'first')) {
    // A page of `first` or of `last` (backward paging); both at once are refused by the resolver, count the larger.
    const sizes = [args.first, args.last].filter((n): n is number => typeof n === 'number' && n >= 0);
    const page = sizes.length ? Math.max(...sizes) : DEFAULT_PAGE_SIZE;
    return 1 + page * childComplexity;
  }
  const type = getNullableType(field.type);
  if (isListType(type) && isCompositeType(getNamedType(type))) return 1 + LIST_SIZE * childComplexity;
  return 1 + childComplexity;
};

type Check = { document: DocumentNode; variableValues?: unknown; operationName?: string | null };

/** The error to answer with, or null when the request is within the budget (or its variables do not coerce). */
export function overBudget(schema: GraphQLSchema, args: Check, maxNodes: number) {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  const variables = (args.variableValues ?? {}) as Record<string, unknown>;
  // Variables that do not coerce: execution answers that, with its own error.
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return null;
  let nodes: number;
  try {
    nodes = getComplexity({
      schema,
      query: args.document,
      variables,
      operationName: args.operationName ?? undefined,
      estimators: [estimate],
      maxQueryNodes: MAX_WALK,
    });
  } catch {
    // Too many selections to even count (fragments spread over and over): over any budget.
    nodes = Number.POSITIVE_INFINITY;
  }
  if (nodes <= maxNodes) return null;
  const requested = Number.isFinite(nodes) ? nodes : null;
  return createGraphQLError(
    `This request may return up to ${requested ?? 'too many'} objects and fields; the limit is ${maxNodes}. Ask for smaller pages (first or last) or fewer nested connections.`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED', limit: maxNodes, requested } },
  );
}

export function nodeBudget(schema: GraphQLSchema, maxNodes: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = overBudget(schema, args, maxNodes);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = overBudget(schema, args, maxNodes);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
