// Every top-level error carries an extensions.code a client can act on, and extensions.params. graphql-armor's depth
// and alias limits and graphql-js's variable coercion answer without them; they get theirs here, on the way out. Our
// own errors carry their Message (errors.ts MESSAGE): rendered here in the language of the request's Accept-Language.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_LOCALE, type Locale, localeOf, type Message, render } from '../messages/index.js';
import { MESSAGE } from './errors.js';

function codeFor(message: string): { code: string; reason?: string } {
  if (/limit of \d+ exceeded/i.test(message)) return { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'LIMIT_EXCEEDED' };
  if (/^Syntax Error/.test(message)) return { code: 'GRAPHQL_PARSE_FAILED' };
  if (/^Variable "\$[^"]+" (got invalid value|of required type|of non-null type)/.test(message))
    return { code: 'BAD_USER_INPUT' };
  return { code: 'GRAPHQL_VALIDATION_FAILED' };
}

type Extensions = Record<string | symbol, unknown>;

/** Each error with its code, its params ({} when it has none) and its message in the request's language. */
function shaped(error: GraphQLError | GraphQLFormattedError, locale: Locale): GraphQLError | GraphQLFormattedError {
  const ext = (error.extensions ?? {}) as Extensions;
  const message = ext[MESSAGE] as Message | undefined;
  const parts = Array.isArray(ext.errors) ? (ext.errors as Extensions[]) : undefined;
  const rerender = locale !== DEFAULT_LOCALE && (message || parts?.some((p) => p[MESSAGE]));
  if (ext.code && 'params' in ext && !rerender) return error;
  const extensions: Extensions = {
    ...ext,
    ...(ext.code ? {} : codeFor(error.message)),
    ...('params' in ext ? {} : { params: {} }),
  };
  let text = error.message;
  if (rerender) {
    if (parts) {
      const localized = parts.map((p) => (p[MESSAGE] ? { ...p, message: render(p[MESSAGE] as Message, locale) } : p));
      extensions.errors = localized;
      text = localized.map((p) => p.message).join('; ');
    }
    if (message) text = render(message, locale);
  }
  if (error instanceof GraphQLError) {
    return new GraphQLError(text, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      originalError: error.originalError,
      extensions,
    });
  }
  return { ...error, message: text, extensions };
}

export function errorCodes(): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
      if (!result.errors?.length) return;
      const locale = localeOf(request.headers.get('accept-language'));
      setResult({ ...result, errors: result.errors.map((e) => shaped(e, locale)) as GraphQLError[] });
    },
  };
}

/** Says which language the answer's messages are in, and that it depends on Accept-Language (for caches). */
export function contentLanguage(): Plugin {
  // GraphQL requests only (onParams): GraphiQL's assets and the token endpoint do not speak French.
  const graphqlRequests = new WeakSet<Request>();
  return {
    onParams({ request }) {
      graphqlRequests.add(request);
    },
    onResponse({ request, response }) {
      if (!graphqlRequests.has(request)) return;
      response.headers.set('content-language', localeOf(request.headers.get('accept-language')));
      response.headers.append('vary', 'Accept-Language');
    },
  };
}
