import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { dataKeyAliasName } from './resource-names';

export interface CellDataKeyProps {
  readonly appName: string;
  readonly zone: string;
}

/**
 * The customer-managed key of one zone in one region: encrypts the table (or
 * its replica), the queues and the event bus of that cell. The alias name is
 * deterministic so the zone's primary can name the replica key by ARN.
 */
export class CellDataKey extends Construct {
  readonly key: kms.Key;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: CellDataKeyProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!props.appName) problems.push('appName: must be the topology appName');
    if (!props.zone) problems.push('zone: must be the zone name');
    if (problems.length > 0) throw new Error(`CellDataKey ${this.node.path}: ${problems.join('; ')}`);

    this.aliasName = dataKeyAliasName(props.appName, props.zone);
    this.key = new kms.Key(this, 'Key', {
      description: `${props.appName} zone ${props.zone}: commerce data, queues and events`,
      enableKeyRotation: true,
      // Losing the key loses the data (and PITR backups): never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      alias: this.aliasName,
    });
  }
}
