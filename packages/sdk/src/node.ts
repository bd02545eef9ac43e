/**
 * Node entry point: the same API as the browser build, with the `ws` package as the WebSocket
 * implementation, `https-proxy-agent` for `setCloudProxy`, and interface polling as the
 * network-change source (Node has no event for a changed local address).
 */
import { networkInterfaces } from 'node:os';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { WebSocket } from 'ws';
import { interfaceWatchSource } from './transport/node-network.js';
import {
  setDefaultNetworkSource,
  setDefaultProxyTransport,
  setDefaultWebSocket,
} from './transport/platform.js';
import type { NodeWebSocketConstructor, WebSocketConstructor } from './transport/types.js';
import { webSocketTransport } from './transport/websocket.js';

setDefaultWebSocket(WebSocket as unknown as WebSocketConstructor);
// ws takes an `agent`; HttpsProxyAgent opens the TCP connection with HTTP CONNECT through the
// proxy (for ws:// as well as wss://) and hands the tunnel to ws.
setDefaultProxyTransport((proxyUrl) =>
  webSocketTransport(WebSocket as unknown as NodeWebSocketConstructor, {
    agent: new HttpsProxyAgent(proxyUrl),
  }),
);
// One shared poller per process; each engine subscribes while it is initialized.
const interfaceWatch = interfaceWatchSource({ interfaces: networkInterfaces });
setDefaultNetworkSource(() => interfaceWatch);

export * from './index.js';
