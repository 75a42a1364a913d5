import { createInterface } from 'node:readline/promises';

/**
 * The explicit go-ahead before an AWS drill touches anything: the operator
 * types the zone's name. No terminal, no drill, unless --yes says the
 * operator decided beforehand (a scheduled run).
 */

export interface Terminal {
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

export function processTerminal(): Terminal {
  return {
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async ask(question) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export async function confirmed(terminal: Terminal, expected: string): Promise<boolean> {
  const answer = await terminal.ask(
    `Type the zone name (${expected}) to start the drill, anything else cancels: `,
  );
  return answer.trim() === expected;
}
