import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys, type TableContext, type TransactWrite } from './table';

/**
 * A cell's drill flag: while it is on, the cell's /v1/health answers 503 (reason `drill`) so Route 53
 * fails the cell over. The item's key carries the region, so a replicated copy in the peer region changes
 * nothing there. Written by the operator API (with its audit entry) and by the AWS drill injector (a plain
 * write in the cell's own region, which works while the Route 53 control plane is impaired); one item shape.
 */
export interface DrillFlag {
  readonly enabled: boolean;
  /** Who set it: a token subject or the drill tooling. */
  readonly changedBy: string;
  readonly changedAt: string;
  readonly reason?: string;
}

export class DrillFlagRepository {
  constructor(private readonly context: Pick<TableContext, 'documentClient' | 'tableName'>) {}

  private item(region: string, flag: DrillFlag) {
    return { ...keys.drillFlag(region), entity: 'drill_flag', ...flag };
  }

  /** The flag of `region` (consistent read); off when absent. `signal` bounds the read (health checks). */
  async isOn(region: string, signal?: AbortSignal): Promise<boolean> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({
        TableName: this.context.tableName,
        Key: keys.drillFlag(region),
        ConsistentRead: true,
      }),
      signal ? { abortSignal: signal } : {},
    );
    return Item?.enabled === true;
  }

  /** The transaction item that sets the flag (committed with the operator's audit entry). */
  setWrite(region: string, flag: DrillFlag): TransactWrite {
    return { Put: { TableName: this.context.tableName, Item: this.item(region, flag) } };
  }

  /** Sets the flag on its own (the AWS drill injector). */
  async set(region: string, flag: DrillFlag): Promise<void> {
    await this.context.documentClient.send(
      new PutCommand({ TableName: this.context.tableName, Item: this.item(region, flag) }),
    );
  }

  /** Removes the flag (the injector's rollback): the cell is as if the flag had never been set. */
  async clear(region: string): Promise<void> {
    await this.context.documentClient.send(
      new DeleteCommand({ TableName: this.context.tableName, Key: keys.drillFlag(region) }),
    );
  }
}
