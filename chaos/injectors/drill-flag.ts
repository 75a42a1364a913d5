import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../lambdas/adapters/table';
import { type FaultDescription, ReversibleFault } from './types';

/**
 * Sets the cell's drill flag item, which makes its /v1/health answer 503
 * (reason `drill`) so Route 53 fails the cell over. Only a DynamoDB write in
 * the cell's own region: it works while the Route 53 control plane is
 * impaired, which is exactly when an unplanned failover is needed.
 */

export class DrillFlagInjector extends ReversibleFault {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly region: string,
    private readonly reason = 'failover drill',
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  describe(): FaultDescription {
    return {
      mechanism: 'drill-flag',
      fault: 'drill flag set: /v1/health answers 503 (reason drill)',
      target: `${this.tableName} in ${this.region}`,
      simulated: false,
    };
  }

  protected async apply(): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.drillFlag(this.region),
          enabled: true,
          reason: this.reason,
          setAt: new Date(this.now()).toISOString(),
        },
      }),
    );
  }

  protected async undo(): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.drillFlag(this.region) }),
    );
  }
}
