import { capacity } from './scenarios/capacity.js';
import { SYSTEMS, type SystemId } from './systems.js';

const [id = 'holdfast', n = '1000'] = process.argv.slice(2);
const r = await capacity(SYSTEMS[id as SystemId], {
  servers: 1,
  perServer: Number(n),
  channelSize: 10,
  idleMs: 5000,
  concurrency: 200,
});
console.log(JSON.stringify(r, null, 1));
