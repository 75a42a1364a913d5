import { Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../tagging';
import { acknowledge } from './nag-acknowledgements';

export interface CellBackupProps {
  /** ARN of the zone table in this cell's region. */
  readonly tableArn: string;
  /** The cell's customer-managed key: recovery points stay encrypted with the zone's key, in its region. */
  readonly key: kms.IKey;
  /** Days each daily recovery point is kept (topology backup.retentionDays). */
  readonly retentionDays: number;
}

/**
 * AWS Backup for the zone table, inside the cell's own region and partition:
 * a vault encrypted with the cell key and a daily plan. PITR (35 days) stays
 * on; these recovery points are the copies that survive a deleted table.
 * The vault is retained with the stack (it holds recovery points).
 */
export class CellBackup extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: CellBackupProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 7 || props.retentionDays > 3650) {
      throw new Error(
        `CellBackup ${this.node.path}: retentionDays ${props.retentionDays} must be an integer from 7 to 3650`,
      );
    }
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.vault).add(TAG_KEYS.dataClassification, 'personal');
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: Duration.days(props.retentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Table', {
      resources: [backup.BackupResource.fromArn(props.tableArn)],
    });
    acknowledge(selection, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: "AWS Backup's own service role policy for taking backups, as AWS Backup documents it",
    });
  }
}
