import { connect } from 'node:net';
import { PortBusyError } from '../../local/listener';

/** True when something accepts TCP connections on 127.0.0.1:port (used to prove nothing is left listening). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A random base port for a test topology: blocks of 100 from 20,000, all below Linux's ephemeral range
 * (32,768 and up), where outgoing connections take local ports. A base port there once found its edge port
 * held by such a connection (twice: a CLI test, then a drill test). A topology takes base + 0..59, so an
 * `offset` under 40 keeps it inside its block.
 */
export function randomBasePort(offset = 0): number {
  return 20_000 + Math.floor(Math.random() * 127) * 100 + offset;
}

/** Starts something on a random base port, and again on another one while a port of it was busy (6 tries). */
export async function onFreeBasePort<T>(start: (basePort: number) => Promise<T>, offset = 0): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await start(randomBasePort(offset));
    } catch (error) {
      if (!(error instanceof PortBusyError) || attempt >= 5) throw error;
    }
  }
}
