import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './nag-acknowledgements';

export interface AlarmTopicProps {
  /** Shown in the notification mail's subject: which cell or stack is alarming. */
  readonly displayName: string;
  /**
   * Addresses subscribed to every alarm of the scope (topology `alerts.emails`).
   * @default - none: the topic exists, subscribe someone (or a Chatbot channel) before production
   */
  readonly emails?: readonly string[];
}

/**
 * The one SNS topic every alarm of a stack notifies (ALARM and OK): an SRE is
 * paged by subscribing to it once, per cell and for routing. Alarm messages
 * carry alarm names and metric values, never customer data.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const emails = props.emails ?? [];
    const invalid = emails.filter((email) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email));
    if (invalid.length > 0) {
      throw new Error(
        `AlarmTopic ${this.node.path}: emails: ${invalid.join(', ')} are not e-mail addresses; fix alerts.emails in the topology`,
      );
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName,
      enforceSSL: true,
    });
    for (const email of emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    acknowledge(this.topic, {
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values only; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer-managed key per topic would protect no customer data',
    });
  }

  /** Every alarm found under `scope` (now) notifies this topic on ALARM and on OK. */
  notifyFromAlarmsIn(scope: IConstruct): void {
    const action = new cloudwatchActions.SnsAction(this.topic);
    for (const construct of scope.node.findAll()) {
      if (construct instanceof cloudwatch.Alarm) {
        construct.addAlarmAction(action);
        construct.addOkAction(action);
      }
    }
  }
}
