// A User's roles and licenses are plain properties of the user object, read inline: graphql-jit builds a resolve
// info, its path and an arguments object for every resolver it calls, and two resolvers a user were a fifth of what a
// users page allocated (BENCHMARKS.md, tenth round). So they must be on every user before its fields are read: every
// field that can return users (a User, a connection of users, a Node) attaches them first, when the query asks for
// them — from the statement that read the users when it brought them (the users page, createUser), else through the
// request's DataLoader (one statement for the users of a tick).
import {
  defaultFieldResolver,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { hasDetails, setDetails, type UserNode } from '../services/users/row.js';
import type { GraphQLContext } from './context.js';
import { namesBelow } from './selection.js';

const USER = 'User';
const DETAILS = ['roles', 'licenses'];

/** How a field's result holds its users. */
type Holder = 'user' | 'connection' | 'abstract';

/** Wraps the resolver of every field whose result can hold users (see above). */
export function userDetailsFirst(schema: GraphQLSchema): void {
  const user = schema.getType(USER);
  if (!isObjectType(user)) throw new Error('no User type');
  // Connections of users: a type with `edges` whose `node` is a User. Their edges' node fields are left alone: the
  // connection's field attaches the details of all its nodes at once.
  const connections = new Set<GraphQLNamedType>();
  const edges = new Set<GraphQLNamedType>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const edge = type.getFields().edges && getNamedType(type.getFields().edges!.type);
    if (edge && isObjectType(edge) && edge.getFields().node && getNamedType(edge.getFields().node!.type) === user) {
      connections.add(type);
      edges.add(edge);
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__') || edges.has(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      const holder: Holder | null =
        named === user
          ? 'user'
          : connections.has(named)
            ? 'connection'
            : isAbstractType(named) && schema.getPossibleTypes(named).includes(user)
              ? 'abstract'
              : null;
      if (holder) wrap(field, holder);
    }
  }
}

function wrap(field: GraphQLField<unknown, GraphQLContext>, holder: Holder): void {
  const resolve = field.resolve ?? defaultFieldResolver;
  const below = holder === 'connection' ? ['edges', 'node'] : [];
  field.resolve = (source, args, ctx, info) => {
    const result = resolve(source, args, ctx, info);
    const selected = namesBelow(info, below);
    if (!DETAILS.some((name) => selected.has(name))) return result;
    return isPromise(result) ? result.then((r) => attached(r, holder, ctx, info)) : attached(result, holder, ctx, info);
  };
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

/** `result`, once each user it holds that came without its roles and licences has them. */
function attached(result: unknown, holder: Holder, ctx: GraphQLContext, info: GraphQLResolveInfo): unknown {
  if (result == null || result instanceof Error) return result;
  const items: unknown[] = Array.isArray(result) ? result : [result];
  if (holder !== 'abstract')
    return attachMissingDetails(holder === 'user' ? items : items.flatMap(nodesOf), result, ctx);
  // A Node (or a union): the users among the objects, as GraphQL tells their type.
  const type = getNamedType(info.returnType);
  if (!isAbstractType(type)) return result;
  const typenames = items.map((item) =>
    item != null && typeof item === 'object' && !(item instanceof Error)
      ? type.resolveType?.(item, ctx, info, type)
      : null,
  );
  const users = (names: unknown[]) => items.filter((_, i) => names[i] === USER);
  return typenames.some(isPromise)
    ? Promise.all(typenames).then((names) => attachMissingDetails(users(names), result, ctx))
    : attachMissingDetails(users(typenames), result, ctx);
}

const nodesOf = (connection: unknown) =>
  ((connection as { edges?: ({ node: unknown } | null)[] } | null)?.edges ?? []).map((e) => e?.node);

/**
 * Loads the details of the users among `candidates` that have none, then answers `result`. A user whose details could
 * not be read gets the error as its roles and licenses: it surfaces at those fields (a field read as an Error is a
 * field error, in graphql-jit as in graphql-js), as it did when they had resolvers, not at the field holding the users
 * (a `nodes` list, a page) with every other object in it.
 */
export function attachMissingDetails(
  candidates: unknown[],
  result: unknown,
  ctx: { loaders: Pick<GraphQLContext['loaders'], 'userDetails'> },
): unknown {
  const missing = candidates.filter(
    (u): u is UserNode => u != null && typeof u === 'object' && !(u instanceof Error) && !hasDetails(u as UserNode),
  );
  if (!missing.length) return result;
  return Promise.all(
    missing.map((u) =>
      ctx.loaders.userDetails.load({ customerId: u.customerId, userId: u.id }).then(
        (details) => void setDetails(u, details),
        (e: unknown) => {
          const error = e instanceof Error ? e : new Error(String(e));
          Object.assign(u, { roles: error, licenses: error });
        },
      ),
    ),
  ).then(() => result);
}
