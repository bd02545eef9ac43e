import type { ServerContext } from '../context.js';

/** Registers the web console (/console) and the SDK demo page (/demo). */
export function registerConsoleRoutes(_ctx: ServerContext): void {}
