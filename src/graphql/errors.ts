// The one place where domain errors become GraphQL: access errors are top-level errors with extensions.code;
// business-rule failures of a mutation are its payload's userErrors.
import { GraphQLError } from 'graphql';
import { DomainError, ValidationErrors } from '../services/errors.js';

export interface UserErrorShape {
  field: string[] | null;
  code: string;
  message: string;
}

function extensionsOf(e: DomainError): Record<string, unknown> {
  const { field, ...rest } = e.details;
  return {
    code: e.isAccessError ? e.code : 'BAD_USER_INPUT',
    ...(e.isAccessError ? {} : { reason: e.code }),
    ...(field ? { field } : {}),
    ...rest,
  };
}

export function toGraphQLError(e: DomainError | ValidationErrors): GraphQLError {
  if (e instanceof ValidationErrors) {
    return new GraphQLError(e.message, {
      extensions: {
        code: 'BAD_USER_INPUT',
        errors: e.errors.map((x) => ({ code: x.code, field: x.details.field, message: x.message })),
      },
    });
  }
  return new GraphQLError(e.message, { extensions: extensionsOf(e) });
}

/** For yoga's error masking: domain errors thrown by resolvers keep their message and code. */
export function unmaskDomainError(error: unknown): GraphQLError | undefined {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError || original instanceof ValidationErrors) {
    const mapped = toGraphQLError(original);
    return error instanceof GraphQLError
      ? new GraphQLError(mapped.message, { nodes: error.nodes, path: error.path, extensions: mapped.extensions })
      : mapped;
  }
  return undefined;
}

export function userErrorsOf(e: DomainError | ValidationErrors): UserErrorShape[] {
  const list = e instanceof ValidationErrors ? e.errors : [e];
  return list.map((x) => ({ field: x.details.field ?? null, code: x.code, message: x.message }));
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
