/**
 * Runs the Hono app on a Node HTTP listener.
 *
 * Without an API token every mutating endpoint is open, so the listener is then bound to
 * 127.0.0.1 whatever host was asked for: only this machine can reach it.
 */
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from 'pino';

export interface HttpServerOptions {
  app: Hono;
  /** 0 picks a free port. */
  port: number;
  /** Default 0.0.0.0 with a token, and always 127.0.0.1 without one. */
  host?: string;
  apiToken?: string;
  logger: Logger;
}

export interface RunningHttpServer {
  port: number;
  host: string;
  url: string;
  /** Stops accepting connections, ends idle keep-alive ones and resolves when all are closed. Idempotent. */
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { app, port, apiToken, logger } = options;
  let host = options.host ?? (apiToken ? '0.0.0.0' : LOOPBACK);
  if (!apiToken) {
    logger.warn(host === LOOPBACK ? {} : { ignoredHost: host }, 'no SCENESCOUT_API_TOKEN set: listening on 127.0.0.1 only');
    host = LOOPBACK;
  }

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  server.on('clientError', answerClientError);
  const address = server.address() as AddressInfo;
  const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${displayHost === '0.0.0.0' ? '127.0.0.1' : displayHost}:${address.port}`;
  logger.info({ host: address.address, port: address.port }, `HTTP server listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: address.address,
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (a dashboard polling every few seconds) would hold close() open.
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * Requests Node's parser refuses never reach the app. Node answers them with an empty 400; a
 * URL holding raw non-ASCII bytes (`?q=café` typed into a tool that does not encode) gets a
 * JSON body saying what to do instead, in the API's error shape. Others keep Node's answers.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  let body = '';
  if (err.code === 'HPE_INVALID_URL') {
    status = 400;
    body = JSON.stringify({
      error: 'url: characters outside ASCII must be percent-encoded as UTF-8, e.g. q=caf%C3%A9 for q=café',
      code: 'ERR_VALIDATION',
    });
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n`
      + (body ? `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : '\r\n'),
  );
}
