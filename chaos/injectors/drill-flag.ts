import { DrillFlagRepository } from '../../lambdas/adapters/drill-flag-repository';
import type { DynamoDBDocumentClient } from '../../lambdas/adapters/table';
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

  private get flags(): DrillFlagRepository {
    return new DrillFlagRepository({ documentClient: this.client, tableName: this.tableName });
  }

  protected async apply(): Promise<void> {
    await this.flags.set(this.region, {
      enabled: true,
      changedBy: 'drill tooling',
      changedAt: new Date(this.now()).toISOString(),
      reason: this.reason,
    });
  }

  protected async undo(): Promise<void> {
    await this.flags.clear(this.region);
  }
}
