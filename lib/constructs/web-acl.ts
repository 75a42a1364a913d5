import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebAclProps {
  /** `REGIONAL` for API Gateway stages, `CLOUDFRONT` (us-east-1 only) for distributions. */
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  /** Metric-name prefix, e.g. the cell stack name. */
  readonly name: string;
  /** Requests one client IP may send in 5 minutes before it is blocked (topology waf.rateLimitPerIp). */
  readonly rateLimitPerIp: number;
}

/** AWS managed rule groups every web ACL runs, in priority order (count-free: they block). */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * An AWS WAF web ACL: a per-IP rate-based rule first (a flood from one client
 * cannot take the cell's throttle bucket), then AWS managed rule groups.
 * Requests that no rule blocks are allowed.
 */
export class WebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    if (!Number.isInteger(props.rateLimitPerIp) || props.rateLimitPerIp < 10) {
      throw new Error(
        `WebAcl ${this.node.path}: rateLimitPerIp ${props.rateLimitPerIp} must be an integer of at least 10 (AWS WAF minimum)`,
      );
    }
    const metricName = props.name.replace(/[^A-Za-z0-9_-]/g, '-');
    const visibility = (suffix: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${metricName}-${suffix}`,
      sampledRequestsEnabled: true,
    });
    this.acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: props.scope,
      defaultAction: { allow: {} },
      description: `${props.name}: per-IP rate limit and AWS managed rules`,
      visibilityConfig: visibility('web-acl'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimitPerIp, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('rate-limit'),
        },
        ...MANAGED_RULE_GROUPS.map((group, index) => ({
          name: group,
          priority: index + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: group } },
          visibilityConfig: visibility(group),
        })),
      ],
    });
  }

  /** Associates the ACL with a regional resource (an API Gateway stage ARN). */
  associate(id: string, resourceArn: string): wafv2.CfnWebACLAssociation {
    return new wafv2.CfnWebACLAssociation(this, id, { resourceArn, webAclArn: this.acl.attrArn });
  }
}
