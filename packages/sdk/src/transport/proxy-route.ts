import type { TransportFactory } from './types.js';

/**
 * Chooses, for each connection attempt, between the direct transport and the one through the
 * configured proxy. The session keeps one factory for its whole life; `setCloudProxy` flips the
 * route here and asks the session to reconnect, so the very next attempt takes the new route.
 */
export class ProxyRoute {
  #enabled = false;

  constructor(
    private readonly direct: TransportFactory,
    /** Undefined when the platform cannot pick a proxy (browsers: the browser's own proxy applies). */
    private readonly proxied: TransportFactory | undefined,
  ) {}

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns the proxy on or off; returns true when that changed the route. */
  set(enabled: boolean): boolean {
    if (this.#enabled === enabled) return false;
    this.#enabled = enabled;
    return true;
  }

  readonly transport: TransportFactory = (url, handlers) =>
    (this.#enabled && this.proxied ? this.proxied : this.direct)(url, handlers);
}
