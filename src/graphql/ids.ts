// Global ids: base64("Type:key"). Customer-owned objects carry the customer id in the key so every lookup can
// filter by customer_id (the Citus distribution column).
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { msg } from '../messages/index.js';
import { DomainError } from '../services/errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const SCOPED_TYPES = ['User', 'GdapRelationship', 'BulkJob'] as const;
export const PLAIN_TYPES = [
  'Customer',
  'Agent',
  'Application',
  'SecurityGroup',
  'Sku',
  'Partner',
  'GroupActivation',
  'WebhookSubscription',
  'WebhookDelivery',
] as const;
export type ScopedType = (typeof SCOPED_TYPES)[number];
export type PlainType = (typeof PLAIN_TYPES)[number];
export type NodeType = ScopedType | PlainType;

export const scopedId = (customerId: string, id: string) => `${customerId}:${id}`;

export interface DecodedId {
  typename: NodeType;
  id: string;
  customerId?: string;
}

/** Decodes any global id, or throws INVALID_ID naming the field. */
/** A field path as a person reads it: ids[2], filter.actorId. */
const pathText = (field: string[]) => field.map((f, i) => (/^\d+$/.test(f) ? `[${f}]` : i ? `.${f}` : f)).join('');

export function decodeAnyId(globalId: string, field: string[]): DecodedId {
  const bad = () => new DomainError('INVALID_ID', msg('ids.invalid', { path: pathText(field) }), { field });
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    throw bad();
  }
  const typename = decoded.typename as NodeType;
  if ((SCOPED_TYPES as readonly string[]).includes(typename)) {
    const [customerId, id, ...rest] = decoded.id.split(':');
    if (!customerId || !id || rest.length || !UUID_RE.test(customerId) || !UUID_RE.test(id)) throw bad();
    return { typename, id: id.toLowerCase(), customerId: customerId.toLowerCase() };
  }
  if ((PLAIN_TYPES as readonly string[]).includes(typename) && UUID_RE.test(decoded.id)) {
    return { typename, id: decoded.id.toLowerCase() };
  }
  throw bad();
}

const wrongType = (field: string[], expected: NodeType, actual: NodeType) =>
  new DomainError('INVALID_ID', msg('ids.wrongType', { name: field.at(-1)!, expected, actual }), { field });

export function decodeId(globalId: string, type: PlainType, field: string[]): string {
  const d = decodeAnyId(globalId, field);
  if (d.typename !== type) {
    throw wrongType(field, type, d.typename);
  }
  return d.id;
}

/** An Agent's or an Application's id (both are partner principals: group members, audit actors). */
export function decodePrincipalId(globalId: string, field: string[]): string {
  const d = decodeAnyId(globalId, field);
  if (d.typename !== 'Agent' && d.typename !== 'Application') {
    throw new DomainError('INVALID_ID', msg('ids.notPrincipal', { name: field.at(-1)! }), { field });
  }
  return d.id;
}

export function decodeScopedId(
  globalId: string,
  type: ScopedType,
  field: string[],
): { customerId: string; id: string } {
  const d = decodeAnyId(globalId, field);
  if (d.typename !== type || !d.customerId) {
    throw wrongType(field, type, d.typename);
  }
  return { customerId: d.customerId, id: d.id };
}

export { encodeGlobalID };
