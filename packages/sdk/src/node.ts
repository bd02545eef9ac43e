/**
 * Node entry point: the same API as the browser build, with the `ws` package as
 * the WebSocket implementation.
 */
import { WebSocket } from 'ws';
import { setDefaultWebSocket } from './transport/platform.js';
import type { WebSocketConstructor } from './transport/types.js';

setDefaultWebSocket(WebSocket as unknown as WebSocketConstructor);

export * from './index.js';
