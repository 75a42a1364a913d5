import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { CellDataKey } from '../constructs/cell-data-key';
import { eventBusName, replicaKeyStackName } from '../constructs/resource-names';
import type { Cell, TopologyModel } from '../topology';
import { zoneByName } from '../topology';
import { tagZone } from './zone-tags';

export interface ReplicaKeyStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  /** A secondary cell: its region hosts the replica this key encrypts. */
  readonly cell: Cell;
}

/**
 * The secondary region's data key, in its own small stack so that it can be
 * deployed before the zone's primary (whose global table names it by alias ARN)
 * while the secondary cell itself deploys after the primary (it reads the
 * replica's stream ARN).
 */
export class ReplicaKeyStack extends Stack {
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ReplicaKeyStackProps) {
    const { model, cell, ...stackProps } = props;
    if (cell.role !== 'secondary') {
      throw new Error(
        `ReplicaKeyStack ${id}: cell ${cell.stackName} is a ${cell.role}; only a secondary cell hosts a replica key`,
      );
    }
    super(scope, id, {
      ...stackProps,
      stackName: replicaKeyStackName(cell),
      env: { account: cell.account, region: cell.region },
      description: `${model.appName}: data key of zone ${cell.zone} in ${cell.region} (replica encryption)`,
    });
    this.key = new CellDataKey(this, 'DataKey', {
      appName: model.appName,
      zone: cell.zone,
      // The secondary cell's bus is encrypted with this key; that stack cannot edit this key's policy.
      externalEventBusName: eventBusName(model.appName, cell.zone),
    }).key;
    tagZone(this, model, zoneByName(model, cell.zone));
  }
}
