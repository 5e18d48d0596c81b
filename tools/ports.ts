import { createServer } from 'node:net';

/** A port the OS says is free right now (another process could take it before us: rare enough). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` consecutive ports from `base`, or distinct free ones. */
export async function allocatePorts(count: number, base: number | 'free'): Promise<number[]> {
  if (base !== 'free') return Array.from({ length: count }, (_, i) => base + i);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}
