import type { DirectoryRole, PartnerRole } from '../auth/roles.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { CustomerRow } from './customers.js';

export type Caller =
  | {
      /** A partner principal: one of its agents, or (principal APPLICATION) one of its applications. */
      kind: 'agent';
      principal: 'AGENT' | 'APPLICATION';
      agentId: string;
      partnerId: string;
      partnerRoles: PartnerRole[];
      name: string;
      /** An agent's email; null for an application. */
      email: string | null;
      /** Set by resetAgentPassword: the agent must call changePassword before anything else. */
      mustChangePassword: boolean;
      tokenHash: string;
    }
  | {
      kind: 'user';
      customerId: string;
      userId: string;
      userPrincipalName: string;
      mustChangePassword: boolean;
      tokenHash: string;
    };

/** The caller a partner principal's row stands for (a session's, a bulk job's starter, the seed's). */
export function partnerCaller(
  row: {
    id: string;
    partnerId: string;
    kind: 'AGENT' | 'APPLICATION';
    roles: string[];
    displayName: string;
    email: string | null;
    mustChangePassword: boolean;
  },
  tokenHash: string,
): Caller {
  return {
    kind: 'agent',
    principal: row.kind,
    agentId: row.id,
    partnerId: row.partnerId,
    partnerRoles: row.roles as PartnerRole[],
    name: row.displayName,
    email: row.email,
    mustChangePassword: row.mustChangePassword,
    tokenHash,
  };
}

export interface RoleGrant {
  role: DirectoryRole;
  customerId: string;
  relationshipId: string;
  relationshipName: string;
  groupId: string;
  groupName: string;
  /** PERMANENT: an ACTIVE membership; ACTIVATION: an eligible one, activated until activeUntil. */
  via: 'PERMANENT' | 'ACTIVATION';
  activeUntil: Date | null;
}

/** What every service call gets: the database, the clock, who is calling, and per-request caches. */
export interface ServiceContext {
  db: Db;
  clock: Clock;
  caller: Caller | null;
  /** Effective GDAP grants per customer, computed once per request. */
  grantCache: Map<string, Promise<RoleGrant[]>>;
  /**
   * Customers read in this request (undefined: not one of the caller's partner's), kept with the caller's grants in
   * them (authorization.ts keepCustomerAndGrants): never alone, never across requests.
   */
  customerCache: Map<string, CustomerRow | undefined>;
  /** Verified domain names per customer, read ahead with the request's session (rate-limits.ts): this request only. */
  verifiedDomains: Map<string, ReadonlySet<string>>;
  /** A bearer token was sent but is unknown, expired or revoked. */
  tokenRejected?: boolean;
  /** The client's address (the socket's, or X-Forwarded-For's behind TRUST_PROXY hops), for sign-in limits. */
  clientAddress?: string;
  /** Passwords checked in this request (signIn, changePassword): one at most, whatever the aliases. */
  passwordChecks?: number;
}

export function serviceContext(db: Db, clock: Clock, caller: Caller | null = null): ServiceContext {
  return { db, clock, caller, grantCache: new Map(), customerCache: new Map(), verifiedDomains: new Map() };
}

/**
 * Runs `body` in one transaction; the context it gets has the transaction as its `db`, so every write made through it
 * is part of the transaction. Nested calls open a savepoint.
 */
export function inTransaction<T>(ctx: ServiceContext, body: (tx: ServiceContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction((db) => body({ ...ctx, db }));
}
