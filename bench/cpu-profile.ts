import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The functions and packages that took the most CPU (self time) in a `node --cpu-prof` profile,
 * as printable lines. Native time (SQLite, socket writes, GC) shows under "(native)".
 */
export function summariseCpuProfile(file: string, top = 25): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const file = url ? url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(dist|src)\//, '$1/') : '(native)';
    const where = file.split('/').slice(0, file.startsWith('@') ? 2 : 1).join('/');
    const fn = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
    total += us;
  });
  const rank = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `CPU profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`,
    'by function (self time):', ...rank(byFunction, top),
    'by package or top folder:', ...rank(byPackage, 12),
  ];
}
