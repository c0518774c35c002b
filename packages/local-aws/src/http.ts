import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ListenError, PortInUseError } from "./errors.js";

/**
 * Reads a whole request body. Resolves to undefined once it exceeds `maxBytes`: the rest is read and
 * dropped, so the client can still be answered (413) on the same connection.
 *
 * @example
 * ```ts
 * const body = await readBody(req, DEFAULT_MAX_BODY_BYTES);
 * if (body === undefined) return tooLarge();
 * ```
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once("end", () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

/** A server listening, as {@link listen} hands it back. */
export interface Listening {
  /** e.g. `http://127.0.0.1:9000`, IPv6 hosts in brackets. */
  readonly url: string;
  /** The port it got (the OS chooses one for 0). */
  readonly port: number;
  /** Stops listening and drops every connection, idle keep-alive ones included; the same promise each time. */
  close(): Promise<void>;
}

/** Host and port for a URL: IPv6 addresses in brackets. */
export const hostPort = (host: string, port: number): string =>
  `${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * Starts `server` listening on `host:port` and resolves once it does.
 *
 * @param portSetting the setting that chooses the port, named when the port is taken (default `PORT`).
 * @throws PortInUseError when the port is taken; ListenError when listening fails otherwise.
 * @example
 * ```ts
 * const { url, close } = await listen(createServer(handler), "127.0.0.1", 0);
 * ```
 */
export async function listen(
  server: Server,
  host: string,
  port: number,
  portSetting = "PORT",
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new PortInUseError(port, portSetting, { cause: error }));
      else if (error.code === "EACCES")
        reject(
          new ListenError(`Port ${port} needs privileges: set ${portSetting} to a number above 1023`, {
            cause: error,
          }),
        );
      else
        reject(
          new ListenError(`Cannot listen on ${hostPort(host, port)}: ${error.message}`, { cause: error }),
        );
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(host, actualPort)}`,
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for idle keep-alive sockets, which would make Ctrl-C and tests hang.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * True for the loopback names and addresses: `localhost`, `127.0.0.0/8`, `::1`.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * The `Host` header values a server bound to loopback on `port` accepts: `127.0.0.1:PORT`, `localhost:PORT`
 * and `[::1]:PORT`, compared case-insensitively. Anything else (a LAN name, a DNS-rebinding page's domain)
 * is answered 421.
 *
 * @example
 * ```ts
 * loopbackHosts(9000).has("localhost:9000"); // true
 * ```
 */
export function loopbackHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}
