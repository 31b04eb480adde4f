// What a query selects below a connection field, for resolvers that read less (or more at once) depending on it.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** What was found below each connection field's syntax node, by the path walked (edges/node, edges/node/licenses). */
const memo = new WeakMap<object, Map<string, ReadonlySet<string>>>();

/**
 * The names of the fields the query selects on the nodes of the connection being resolved (edges { node { … } }),
 * through fragments and aliases. @skip and @include are not evaluated: the answer errs on the side of more, which
 * only costs reading what will not be asked. Memoized on the field's syntax node, which a cached document reuses.
 */
export function nodeFieldNames(info: GraphQLResolveInfo): ReadonlySet<string> {
  return namesBelow(info, ['edges', 'node']);
}

/**
 * The names of the fields the query selects on the `field` (an object or a list of objects) of the nodes of the
 * connection being resolved (edges { node { field { … } } }), as nodeFieldNames does for the nodes themselves.
 */
export function nodeSubfieldNames(info: GraphQLResolveInfo, field: string): ReadonlySet<string> {
  return namesBelow(info, ['edges', 'node', field]);
}

/** The names of the fields selected at the end of `path` below the field being resolved (memoized, see above). */
export function namesBelow(info: GraphQLResolveInfo, path: readonly string[]): ReadonlySet<string> {
  const key = info.fieldNodes.length === 1 ? info.fieldNodes[0]! : null;
  const pathKey = path.join('/');
  const known = key ? memo.get(key)?.get(pathKey) : undefined;
  if (known) return known;
  let sets = info.fieldNodes.map((f) => f.selectionSet);
  for (const name of path) sets = sets.flatMap((set) => fieldsOf(info, set, name));
  const names = new Set<string>();
  for (const set of sets) collectNames(info, set, names, new Set());
  if (key) {
    let byPath = memo.get(key);
    if (!byPath) memo.set(key, (byPath = new Map()));
    byPath.set(pathKey, names);
  }
  return names;
}

/** Whether the query selects any of `names` on the nodes of the connection being resolved (see nodeFieldNames). */
export function selectsOnNodes(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  const selected = nodeFieldNames(info);
  for (const name of names) if (selected.has(name)) return true;
  return false;
}

/** Adds the names of the fields of `set`, its fragments' included, to `names`. */
function collectNames(
  info: GraphQLResolveInfo,
  set: SelectionSetNode | undefined,
  names: Set<string>,
  seen: Set<string>,
): void {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) names.add(s.name.value);
    else if (s.kind === Kind.INLINE_FRAGMENT) collectNames(info, s.selectionSet, names, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      collectNames(info, info.fragments[s.name.value]?.selectionSet, names, seen);
    }
  }
}

/** The selection sets of the fields named `name` in `set`, through its fragments. */
function fieldsOf(
  info: GraphQLResolveInfo,
  set: SelectionSetNode | undefined,
  name: string,
  seen = new Set<string>(),
): (SelectionSetNode | undefined)[] {
  const out: (SelectionSetNode | undefined)[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === name) out.push(s.selectionSet);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...fieldsOf(info, s.selectionSet, name, seen));
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...fieldsOf(info, info.fragments[s.name.value]?.selectionSet, name, seen));
    }
  }
  return out;
}
