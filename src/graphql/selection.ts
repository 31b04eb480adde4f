// What a query selects below a connection field, for resolvers that read less (or more at once) depending on it.
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

const memo = new WeakMap<object, boolean>();

/**
 * Whether the query selects any of `names` on the nodes of the connection being resolved (edges { node { … } }),
 * through fragments and aliases. @skip and @include are not evaluated: the answer errs on the side of yes, which
 * only costs reading what will not be asked. Memoized on the field's syntax node, which a cached document reuses.
 */
export function selectsOnNodes(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  const key = info.fieldNodes.length === 1 ? info.fieldNodes[0]! : null;
  const known = key ? memo.get(key) : undefined;
  if (known !== undefined) return known;
  const found = info.fieldNodes.some((f) =>
    fieldsOf(info, f.selectionSet, 'edges').some((edges) =>
      fieldsOf(info, edges, 'node').some((node) => fieldsOf(info, node, null, names).length > 0),
    ),
  );
  if (key) memo.set(key, found);
  return found;
}

/** The selection sets of the fields named `name` (or, with `name` null, any field in `names`) in `set`. */
function fieldsOf(
  info: GraphQLResolveInfo,
  set: SelectionSetNode | undefined,
  name: string | null,
  names?: ReadonlySet<string>,
  seen = new Set<string>(),
): (SelectionSetNode | undefined)[] {
  const out: (SelectionSetNode | undefined)[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (name === null ? names?.has(s.name.value) : s.name.value === name) out.push(s.selectionSet);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...fieldsOf(info, s.selectionSet, name, names, seen));
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...fieldsOf(info, info.fragments[s.name.value]?.selectionSet, name, names, seen));
    }
  }
  return out;
}
