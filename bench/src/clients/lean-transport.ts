import type { Transport, TransportFactory } from '@holdfast/sdk';
import { RawWs } from '../rawws.js';

/**
 * The Holdfast SDK's transport seam (`RtcEngineContext.transport`) over the bench's raw WebSocket:
 * the SDK's state machine, timers, keepalives and resume logic run unchanged; only the `ws`
 * package (an HTTP client, a crypto handshake and stream layers per connection) is replaced, so
 * that 1,000 reconnecting clients on a 2-core machine measure the server, not the client library.
 */
export const leanTransport: TransportFactory = (url, handlers): Transport => {
  const u = new URL(url);
  let bytesSent = 0;
  let bytesReceived = 0;
  let closed = false;
  const ws = new RawWs(
    { host: u.hostname, port: Number(u.port), path: `${u.pathname}${u.search}` },
    {
      onOpen: () => {
        if (!closed) handlers.onOpen();
      },
      onText: (text) => {
        if (closed) return;
        bytesReceived += text.length;
        handlers.onMessage(text);
      },
      onClose: (code) => {
        if (closed) return;
        closed = true;
        handlers.onClose(code, '');
      },
    },
  );
  return {
    send(data) {
      if (closed || !ws.isOpen) return false;
      bytesSent += data.length;
      ws.sendText(data);
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      ws.close();
    },
    get bytesSent() {
      return bytesSent;
    },
    get bytesReceived() {
      return bytesReceived;
    },
  };
};
