import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * BENCH ONLY. A deployed cell writes one JSON log line and one EMF metrics
 * line to stdout per request; the bench keeps that work (serialising and
 * writing) but sends it here instead of its own terminal, and counts it so
 * the report can show it really ran.
 */
export class TelemetrySink {
  lines = 0;
  bytes = 0;
  private readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.lines += 1;
      this.bytes += chunk.length;
      done();
    },
  });
  private readonly console = new Console({ stdout: this.stream, stderr: this.stream });

  /** Points a Powertools Logger or Metrics instance (both write through their `console`) at this sink. */
  capture<T extends Logger | Metrics>(target: T): T {
    (target as unknown as { console: Console }).console = this.console;
    return target;
  }
}
