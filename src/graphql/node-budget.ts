// A hard budget on what one request may return, counted with its variables. graphql-armor's cost limit runs at
// validation, before variables are known, so `users(first: $n)` nested twice with n = 500 passed it (250 000 nodes).
// graphql-query-complexity evaluates the operation with its variables; the estimator counts every field once, and
// a connection's fields `first` times (the default page size when not given).
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../services/pagination.js';

const pages: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((a) => a.name === 'first')) return 1 + childComplexity;
  const first = typeof args.first === 'number' && args.first >= 0 ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + first * childComplexity;
};

export function nodeBudget(schema: GraphQLSchema, maxNodes: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let nodes: number;
      try {
        nodes = getComplexity({
          schema,
          query: args.document,
          variables: (args.variableValues ?? {}) as Record<string, unknown>,
          operationName: args.operationName ?? undefined,
          estimators: [pages],
        });
      } catch {
        // Variables that do not coerce: execution answers that, with its own error.
        return;
      }
      if (nodes <= maxNodes) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError(
            `This request may return up to ${nodes} objects and fields; the limit is ${maxNodes}. Ask for smaller pages (first) or fewer nested connections.`,
            { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED', limit: maxNodes, requested: nodes } },
          ),
        ],
      });
    },
  };
}
