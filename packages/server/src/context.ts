import type { IncomingMessage } from 'node:http';
import type { Clock } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { AppRegistry } from './auth/apps.js';
import type { ChannelService } from './channels/service.js';
import type { ServerOptions } from './config.js';
import type { Engine } from './engine/types.js';
import type { HttpRouter } from './gateway/router.js';
import type { Observer } from './observe/observer.js';

/** What HTTP modules (admin API, console) get to work with. */
export interface ServerContext {
  nodeId: string;
  options: ServerOptions;
  apps: AppRegistry;
  engine: Engine;
  service: ChannelService;
  observer: Observer;
  router: HttpRouter;
  clock: Clock;
  log: Logger;
  /** A request's client address: the peer's, or the one a trusted proxy forwarded. */
  clientAddress: (req: IncomingMessage) => string;
}
