import type { Config } from '../config.js';
import type { ServiceContext } from '../services/context.js';
import type { Loaders } from './loaders.js';

export interface GraphQLContext {
  svc: ServiceContext;
  loaders: Loaders;
  config: Config;
}
