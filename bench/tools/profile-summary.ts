/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time by function and by
 * file, to see where a worker process spends its CPU.
 *   npx tsx bench/tools/profile-summary.ts bench/results/profiles/<run>/<file>.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.endTime - profile.startTime;

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.indexOf('/dist/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

function group(key: (node: ProfileNode) => string): [string, number][] {
  const sums = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const k = key(node);
    sums.set(k, (sums.get(k) ?? 0) + us);
  }
  return [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
}

const pct = (us: number) =>
  `${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms`;
console.log(`profile: ${(totalUs / 1e6).toFixed(2)} s wall`);
console.log('\nself time by function:');
for (const [name, us] of group(
  (n) =>
    `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
)) {
  console.log(`${pct(us)}  ${name}`);
}
console.log('\nself time by package / file:');
for (const [name, us] of group((n) => {
  const url = shortUrl(n.callFrame.url);
  if (url.startsWith('(') || url === '') return n.callFrame.functionName || '(native)';
  const parts = url.split('/');
  return parts[0]?.startsWith('@')
    ? `${parts[0]}/${parts[1]}`
    : url.startsWith('dist/') || url.startsWith('/')
      ? url
      : (parts[0] ?? url);
})) {
  console.log(`${pct(us)}  ${name}`);
}
