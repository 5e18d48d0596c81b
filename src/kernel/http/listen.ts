import type express from 'express';
import { createServer, type Server } from 'node:http';
import type { Logger } from '../logger.ts';

/**
 * Response header of /healthz and /readyz naming the process that answers, so a launcher can tell
 * its own child from another program that holds the port (tools/topology/child.ts).
 */
export const PROCESS_ID_HEADER = 'X-Cleave-Pid';

/**
 * Serves `app` on `port`. Rejects when the server cannot listen (the port is taken, say), with a
 * message that says what to do.
 */
export function serveHttp(app: express.Express, port: number, host: string, logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/healthz' || path === '/readyz') res.setHeader(PROCESS_ID_HEADER, String(process.pid));
    app(req, res);
  });
  return new Promise((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(listenError(err, port, host));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      // Later errors (an accept failing with EMFILE, say) must not crash the process unheard.
      server.on('error', (err) => logger.error({ err }, 'HTTP server error'));
      resolve(server);
    });
  });
}

/** Why the HTTP server could not listen, and what to do about it. */
function listenError(err: NodeJS.ErrnoException, port: number, host: string): Error {
  const message =
    err.code === 'EADDRINUSE'
      ? `PORT ${port} is already in use (EADDRINUSE): stop the program using it or set PORT`
      : err.code === 'EACCES'
        ? `PORT ${port} needs privileges this process lacks (EACCES): set PORT to 1024 or above`
        : `Cannot listen on ${host}:${port} (${err.code ?? err.message}): check PORT`;
  return new Error(message, { cause: err });
}
