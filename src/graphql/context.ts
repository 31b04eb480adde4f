import type { Config } from '../config.js';
import type { Locale } from '../messages/index.js';
import type { ServiceContext } from '../services/context.js';
import type { Loaders } from './loaders.js';

export interface GraphQLContext {
  svc: ServiceContext;
  loaders: Loaders;
  config: Config;
  /** The language of messages (userErrors, top-level errors), from Accept-Language. */
  locale: Locale;
}
