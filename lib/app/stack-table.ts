import type { Partition } from '../topology';

export type StackRole =
  | 'primary cell'
  | 'secondary cell'
  | 'replica key'
  | 'sovereign dns'
  | 'routing'
  | 'edge'
  | 'drill'
  | 'account baseline'
  | 'failover control'
  | 'load generator';

export interface StackRow {
  readonly stackName: string;
  /** Zone name, or `*` for stacks serving every zone. */
  readonly zone: string;
  readonly role: StackRole;
  readonly region: string;
  readonly partition: Partition;
  readonly account: string;
}

const COLUMNS: readonly { readonly title: string; readonly key: keyof StackRow }[] = [
  { title: 'STACK', key: 'stackName' },
  { title: 'ZONE', key: 'zone' },
  { title: 'ROLE', key: 'role' },
  { title: 'REGION', key: 'region' },
  { title: 'PARTITION', key: 'partition' },
  { title: 'ACCOUNT', key: 'account' },
];

/** A plain-text table of the stacks, ordered by zone then region, for the synth log. */
export function formatStackTable(rows: readonly StackRow[]): string {
  const sorted = [...rows].sort(
    (a, b) =>
      a.zone.localeCompare(b.zone) ||
      a.region.localeCompare(b.region) ||
      a.stackName.localeCompare(b.stackName),
  );
  const cells = [COLUMNS.map((c) => c.title), ...sorted.map((row) => COLUMNS.map((c) => String(row[c.key])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return `${cells
    .map((line) =>
      line
        .map((value, i) => value.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
