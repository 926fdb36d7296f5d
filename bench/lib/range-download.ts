/**
 * One HTTP GET of a byte range, its body counted as it arrives and thrown away (never buffered
 * whole), on a connection of its own.
 */
import http from 'node:http';

export interface RangeRequest {
  url: string;
  headers: Record<string, string>;
  /** First and last byte, inclusive. */
  start: number;
  end: number;
}

/** Resolves with the bytes received; rejects unless the answer is a 206 of exactly the range. */
export function downloadRange(request: RangeRequest): Promise<number> {
  const { url, headers, start, end } = request;
  return new Promise((resolve, reject) => {
    const outgoing = http.get(
      url,
      { agent: false, headers: { ...headers, range: `bytes=${start}-${end}` } },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
        });
        response.on('error', reject);
        response.on('end', () => {
          const expected = end - start + 1;
          if (response.statusCode !== 206 || received !== expected) {
            reject(
              new Error(
                `GET ${url} bytes=${start}-${end}: ${response.statusCode}, ${received} of ${expected} bytes`,
              ),
            );
          } else {
            resolve(received);
          }
        });
      },
    );
    outgoing.on('error', reject);
  });
}
