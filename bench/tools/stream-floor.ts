/**
 * The floor under the streaming scenario's RSS growth, without a database: a bare `node:http`
 * server (a child process) that answers Range GETs of a 500 MB "video" from a fresh Buffer per piece
 * (as a database driver hands out a new Buffer for each row or socket read), written with the same
 * backpressure as the video route (`Readable.from`, byte mode, 1-byte mark). The same 20 Range
 * clients as `npm run bench -- --only streaming`, the same RSS sampling.
 *
 *   npx tsx bench/tools/stream-floor.ts [--piece-kib 256] [--megabytes 500] [--clients 20] [--rounds 3]
 *     [--node-flags=--min-semi-space-size=16]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { msSince, nowNs } from '../lib/clock.js';
import { RssSampler, rssMiB } from '../lib/process-rss.js';
import { downloadRange } from '../lib/range-download.js';
import { summaryText } from '../lib/stats.js';
import { splitIntoRanges } from '../scenarios/streaming.js';
import { MIB } from '../scenarios/streaming-video.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    'piece-kib': { type: 'string', default: '256' },
    megabytes: { type: 'string', default: '500' },
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'node-flags': { type: 'string', default: '' },
  },
});
const pieceBytes = Number(values['piece-kib']) * 1024;
const size = Number(values.megabytes) * MIB;

/** `length` bytes from `start`, a fresh Buffer per piece, filled from one pattern. */
async function* pieces(start: number, length: number, pattern: Buffer): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < length; offset += pieceBytes) {
    const piece = Buffer.allocUnsafe(Math.min(pieceBytes, length - offset));
    pattern.copy(piece, 0, 0, piece.length);
    piece.writeUInt32BE((start + offset) >>> 0, 0);
    yield piece;
  }
}

function serve(): void {
  const pattern = Buffer.alloc(pieceBytes, 7);
  const server = http.createServer((request, response) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    const start = Number(match?.[1] ?? 0);
    const end = Number(match?.[2] ?? size - 1);
    response.writeHead(206, {
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${size}`,
    });
    Readable.from(pieces(start, end - start + 1, pattern), { objectMode: false, highWaterMark: 1 }).pipe(
      response,
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') console.log(String(address.port));
  });
}

async function measure(): Promise<void> {
  const growths: number[] = [];
  const rates: number[] = [];
  const nodeFlags = (values['node-flags'] ?? '').split(' ').filter((flag) => flag !== '');
  for (let round = 1; round <= Number(values.rounds); round++) {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        ...nodeFlags,
        fileURLToPath(import.meta.url),
        '--serve',
        ...process.argv.slice(2),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = `http://127.0.0.1:${line.toString().trim()}/video`;
      const pid = child.pid as number;
      await downloadRange({ url, headers: {}, start: 0, end: MIB - 1 });
      const before = rssMiB(pid);
      const sampler = new RssSampler(pid, 50);
      const started = nowNs();
      await Promise.all(
        splitIntoRanges(size, Number(values.clients)).map((range) =>
          downloadRange({ url, headers: {}, ...range }),
        ),
      );
      const seconds = msSince(started) / 1000;
      growths.push(sampler.stop() - before);
      rates.push(size / MIB / seconds);
      console.error(
        `[stream-floor] round ${round}: ${rates.at(-1)?.toFixed(0)} MB/s, RSS +${growths.at(-1)?.toFixed(1)} MB`,
      );
    } finally {
      child.kill();
    }
  }
  console.log(
    `${values.megabytes} MB, ${values.clients} clients, fresh ${values['piece-kib']} KiB Buffer per piece${nodeFlags.length ? `, node ${nodeFlags.join(' ')}` : ''}: ${summaryText(rates, 0)} MB/s, RSS growth ${summaryText(growths, 1)} MB`,
  );
}

if (values.serve) serve();
else await measure();
