import type { ServerContext } from '../context.js';

/** Registers the admin REST API (channel management, kicking rules). */
export function registerAdminRoutes(_ctx: ServerContext): void {}
