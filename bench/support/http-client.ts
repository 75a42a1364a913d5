import { Agent, request } from 'node:http';

/**
 * BENCH ONLY. A node:http client with keep-alive connections (one per
 * concurrent request), like the SDK's own handler, so the client's cost is
 * what any caller would pay.
 */
export class KeepAliveClient {
  private readonly agent: Agent;

  /** @param sockets connections kept open, at most one request each. @default 1 */
  constructor(
    private readonly base: string,
    sockets = 1,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  send(
    method: string,
    path: string,
    headers: Readonly<Record<string, string>> = {},
    body?: string,
  ): Promise<{ status: number; text: string }> {
    return new Promise((done, fail) => {
      const req = request(`${this.base}${path}`, { method, agent: this.agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', fail);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
