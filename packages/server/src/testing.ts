/** Tools for testing apps against a Holdfast server: a TCP fault proxy to cut a client's network. */
export { type FaultMode, type FaultProxy, startFaultProxy } from './testing/fault-proxy.js';
