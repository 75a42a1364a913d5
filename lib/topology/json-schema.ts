import { z } from 'zod';
import { topologySchema } from './schema';

/** JSON Schema of a topology file (input shape: defaults optional), for editor completion. */
export function topologyJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(topologySchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Sovereign commerce toolkit topology',
  };
}

export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}
