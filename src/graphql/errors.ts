// The one place where domain errors become GraphQL: access errors are top-level errors with extensions.code;
// business-rule failures of a mutation are its payload's userErrors.
import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { DEFAULT_LOCALE, type Locale, type Message, render } from '../messages/index.js';
import { DomainError, ValidationErrors } from '../services/errors.js';

export interface UserErrorShape {
  field: string[] | null;
  code: string;
  /** English; the GraphQL field renders `text` in the request's language. */
  message: string;
  text?: Message;
}

/**
 * Where a top-level error keeps its Message, so that error-codes.ts renders it in the request's language on the way
 * out. A symbol key: JSON leaves it out of the answer.
 */
export const MESSAGE: unique symbol = Symbol('message');

/** A top-level error of ours outside the services (a budget, a limit, a key): its message from the catalogue. */
export function localizedError(message: Message, extensions: Record<string, unknown>): GraphQLError {
  return createGraphQLError(render(message), {
    extensions: { ...extensions, params: message.params, [MESSAGE]: message },
  });
}

function extensionsOf(e: DomainError): Record<string | symbol, unknown> {
  const { field, ...rest } = e.details;
  return {
    code: e.isAccessError ? e.code : 'BAD_USER_INPUT',
    ...(e.isAccessError ? {} : { reason: e.code }),
    ...(field ? { field } : {}),
    ...rest,
    params: e.params,
    [MESSAGE]: e.text,
  };
}

/**
 * A domain error as a top-level error, its message in `locale`. The message is rendered again in the request's
 * language on the way out (error-codes.ts), where the request is known; `originalError` keeps the DomainError for it.
 */
export function toGraphQLError(e: DomainError | ValidationErrors, locale: Locale = DEFAULT_LOCALE): GraphQLError {
  if (e instanceof ValidationErrors) {
    const errors = e.errors.map((x) => ({
      code: x.code,
      field: x.details.field,
      message: render(x.text, locale),
      params: x.params,
      [MESSAGE]: x.text,
    }));
    return new GraphQLError(errors.map((x) => x.message).join('; '), {
      originalError: e,
      extensions: { code: 'BAD_USER_INPUT', params: {}, errors },
    });
  }
  return new GraphQLError(render(e.text, locale), { originalError: e, extensions: extensionsOf(e) });
}

/** For yoga's error masking: domain errors thrown by resolvers keep their message and code. */
export function unmaskDomainError(error: unknown): GraphQLError | undefined {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError || original instanceof ValidationErrors) {
    const mapped = toGraphQLError(original);
    return error instanceof GraphQLError
      ? new GraphQLError(mapped.message, {
          nodes: error.nodes,
          path: error.path,
          originalError: original,
          extensions: mapped.extensions,
        })
      : mapped;
  }
  return undefined;
}

export function userErrorsOf(e: DomainError | ValidationErrors): UserErrorShape[] {
  const list = e instanceof ValidationErrors ? e.errors : [e];
  return list.map((x) => ({ field: x.details.field ?? null, code: x.code, message: x.message, text: x.text }));
}

/** Runs a mutation: business failures become userErrors, access failures stay top-level errors. */
export async function runMutation<T extends object, D extends Partial<T> = Record<never, never>>(
  fn: () => Promise<T>,
  whenRefused?: D,
): Promise<Partial<T> & D & { userErrors: UserErrorShape[] }> {
  try {
    return { ...(whenRefused as D), ...(await fn()), userErrors: [] };
  } catch (e) {
    if (e instanceof ValidationErrors || (e instanceof DomainError && !e.isAccessError)) {
      return { ...(whenRefused as D), userErrors: userErrorsOf(e) } as Partial<T> &
        D & { userErrors: UserErrorShape[] };
    }
    throw e;
  }
}
