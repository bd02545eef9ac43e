export { type FaultMode, type FaultProxy, startFaultProxy } from '@holdfast/server/testing';
