// Every top-level error carries an extensions.code a client can act on. graphql-armor's depth and alias limits and
// graphql-js's variable coercion answer without one; they get theirs here, on the way out.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

function codeFor(message: string): { code: string; reason?: string } {
  if (/limit of \d+ exceeded/i.test(message)) return { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED' };
  if (/^Syntax Error/.test(message)) return { code: 'GRAPHQL_PARSE_FAILED' };
  if (/^Variable "\$[^"]+" (got invalid value|of required type|of non-null type)/.test(message))
    return { code: 'BAD_USER_INPUT' };
  return { code: 'GRAPHQL_VALIDATION_FAILED' };
}

function withCode(error: GraphQLError | GraphQLFormattedError): GraphQLError | GraphQLFormattedError {
  if (error.extensions?.code) return error;
  const extensions = { ...error.extensions, ...codeFor(error.message) };
  if (error instanceof GraphQLError) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      originalError: error.originalError,
      extensions,
    });
  }
  return { ...error, extensions };
}

export function errorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
      if (!result.errors?.some((e) => !e.extensions?.code)) return;
      setResult({ ...result, errors: result.errors.map(withCode) as GraphQLError[] });
    },
  };
}
