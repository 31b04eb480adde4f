// Per-request DataLoaders: a page of users costs one statement for its roles and licences, whatever its size.
import DataLoader from 'dataloader';
import type { ServiceContext } from '../services/context.js';
import { type CustomerRow, customersByIds, type DomainRow, domainsOfCustomers } from '../services/customers.js';
import { detailsForUsers, type UserDetails, type UserKey } from '../services/users/read.js';

const userKey = (k: UserKey) => `${k.customerId}:${k.userId}`;

/**
 * A request's loaders, each made when first used: most requests use none (a createUser, the users page, whose rows
 * bring their roles and licences), and three DataLoaders with their batch closures were made and dropped for each.
 * (Prototype getters, not closures stored into fields: V8's minor GC keeps those closures' scopes alive, BENCHMARKS.md
 * thirteenth round.)
 */
export class Loaders {
  #userDetails?: DataLoader<UserKey, UserDetails, string>;
  #customers?: DataLoader<string, CustomerRow | undefined>;
  #customerDomains?: DataLoader<string, DomainRow[]>;
  readonly #svc: ServiceContext;

  constructor(svc: ServiceContext) {
    this.#svc = svc;
  }

  get userDetails() {
    const svc = this.#svc;
    return (this.#userDetails ??= new DataLoader((keys: readonly UserKey[]) => detailsForUsers(svc.db, keys), {
      cacheKeyFn: userKey,
    }));
  }

  get customers() {
    const svc = this.#svc;
    return (this.#customers ??= new DataLoader((ids: readonly string[]) => customersByIds(svc, ids)));
  }

  get customerDomains() {
    const svc = this.#svc;
    return (this.#customerDomains ??= new DataLoader((ids: readonly string[]) => domainsOfCustomers(svc, ids)));
  }
}

export const createLoaders = (svc: ServiceContext) => new Loaders(svc);
