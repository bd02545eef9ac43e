import type { CrossnodeResult, CrossnodeSplit } from './scenarios/crossnode.js';
import type { Dist } from './stats.js';

const ms = (v: number) =>
  Number.isFinite(v) ? `${v >= 100 ? Math.round(v).toLocaleString('en-US') : Math.round(v * 10) / 10}` : '–';

const line = (label: string, d: Dist, missing: number | string) =>
  `| ${label} | ${ms(d.p50)} | ${ms(d.p99)} | ${ms(d.max)} | ${d.n} | ${missing} |`;

function rows(what: string, s: CrossnodeSplit): string[] {
  return [
    line(`${what}, members on the same node`, s.sameNode, s.missingSameNode),
    line(`${what}, members on the other nodes`, s.otherNodes, s.missingOtherNodes),
    line(`${what}, until the last member (any node) has it`, s.untilAll, '–'),
  ];
}

/** Section 3b of the report: cross-node presence propagation (Holdfast only, several nodes on Redis). */
export function crossnodeSection(list: CrossnodeResult[] | undefined): string[] {
  const r = list?.find((x) => x.system === 'holdfast');
  if (!r) return [];
  return [
    `\n### 3b. Cross-node presence: ${r.nodes} Holdfast nodes on one Redis, one channel of ${r.members} (Holdfast only)\n`,
    '| newcomer frame sent → event at each member | p50 (ms) | p99 (ms) | max (ms) | samples | missing |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows('join → `user_joined`', r.join),
    ...rows('leave → `user_offline`', r.leave),
  ];
}
