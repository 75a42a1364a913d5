import type { Server } from 'node:http';
import { createServer, type Socket } from 'node:net';

/** A port the local topology wanted was taken; the message names the port and the flag that moves it. */
export class PortBusyError extends Error {
  override name = 'PortBusyError';
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(
      `Port ${port} (${what}) is already in use on 127.0.0.1. Stop whatever listens there, or choose other ports with --base-port <port> (ports are allocated from the base port upwards).`,
    );
  }
}

/**
 * Listen on loopback only (never 0.0.0.0) and keep track of open sockets, so
 * that `close()` really stops the listener: keep-alive connections are cut,
 * which is what "the cell is gone" looks like to a client.
 */
export class LoopbackListener {
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly what: string,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get isListening(): boolean {
    return this.listening;
  }

  open(): Promise<void> {
    if (this.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.server.removeListener('listening', onListening);
        reject(error.code === 'EADDRINUSE' ? new PortBusyError(this.port, this.what) : error);
      };
      const onListening = () => {
        this.server.removeListener('error', onError);
        this.listening = true;
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(this.port, '127.0.0.1');
    });
  }

  close(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.sockets.clear();
    });
  }
}

/** Fails fast, before anything starts, when one of the planned ports is taken. */
export async function assertPortsFree(ports: readonly { port: number; what: string }[]): Promise<void> {
  for (const { port, what } of ports) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new PortBusyError(port, what) : error),
      );
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  }
}
