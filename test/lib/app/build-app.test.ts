import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PUBLIC_CATALOG_PATH_PREFIXES } from '../../../lambdas/core/data-classification';
import { addNagPacks } from '../../../lib/app/nag';
import { formatStackTable } from '../../../lib/app/stack-table';
import { LAMBDA_ENTRIES } from '../../../lib/constructs/commerce-function';
import { regionFacts } from '../../../lib/topology';
import { type BuiltApp, newCommerceApp, synthesizeCommerceApp } from './synth-fixture';

/**
 * The whole app, as `cdk synth` builds it (cdk-nag packs on, template
 * validation as errors): synth throws on any unacknowledged finding, so a
 * successful synth is the assertion that both packs pass.
 */
describe('buildCommerceApp', () => {
  let defaultApp: BuiltApp;
  let euRegional: BuiltApp;

  beforeAll(() => {
    // Prepare + Act: the two shipped topologies as `cdk synth` builds them: cdk-nag, CloudFormation schema
    // validation and bundling (the one suite that keeps all three on: other test apps skip the validator and
    // the bundling for speed, see synth-fixture.ts).
    const asDeployed = { nag: true, validateTemplates: true, bundle: true } as const;
    defaultApp = synthesizeCommerceApp('topology.yaml', asDeployed);
    euRegional = synthesizeCommerceApp('topologies/eu-regional.yaml', asDeployed);
  });

  it.each([
    ['default', () => defaultApp],
    ['eu-regional', () => euRegional],
  ])('synthesizes the %s topology with AwsSolutions and Serverless packs passing', (_name, get) => {
    // Assess: nag and CloudFormation Validate ran as plugins and reported no failure.
    const { app } = get();
    const report = require(`${app.outdir}/validation-report.json`) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    // Plugins without findings may be omitted from the report; any present must be clean.
    for (const plugin of report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({
        plugin: plugin.pluginName,
        violations: [],
      });
      expect(plugin.conclusion).toBe('success');
    }
  });

  it('fails synth on an unacknowledged cdk-nag finding (the packs are wired as errors)', () => {
    // Prepare: a stack with a queue that allows plain HTTP (AwsSolutions-SQS4).
    const app = newCommerceApp();
    const stack = new Stack(app, 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
    new sqs.Queue(stack, 'PlainQueue', { enforceSSL: false });
    addNagPacks(app);
    // Act + Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('fails synth on an invalid CloudFormation template (template validation turned into errors)', () => {
    // Prepare: a resource property CloudFormation's schema rejects.
    const app = newCommerceApp({ validateTemplates: true });
    const stack = new Stack(app, 'Probe', { env: { account: '111111111111', region: 'us-east-1' } });
    new CfnResource(stack, 'BadQueue', { type: 'AWS::SQS::Queue', properties: { DelaySeconds: 'soon' } });
    // Act + Assess: without COMMERCE_APP_CONTEXT this would only be a warning.
    expect(() => app.synth()).toThrow(/DelaySeconds: 'soon' is not of type 'integer'/);
  });

  it('builds one cell per zone and region, a replica key stack per secondary, routing, sovereign DNS and edge', () => {
    const rows = defaultApp.built.rows.map(
      (r) => `${r.stackName} ${r.zone} ${r.role} ${r.region} ${r.partition} ${r.account}`,
    );
    expect(rows.sort()).toEqual(
      [
        'commerce-cell-global-us-east-1 global primary cell us-east-1 aws 111111111111',
        'commerce-cell-global-us-west-2 global secondary cell us-west-2 aws 111111111111',
        'commerce-cell-global-us-west-2-key global replica key us-west-2 aws 111111111111',
        'commerce-cell-eu-eusc-de-east-1 eu primary cell eusc-de-east-1 aws-eusc 222222222222',
        'commerce-dns-eu eu sovereign dns eusc-de-east-1 aws-eusc 222222222222',
        'commerce-routing * routing us-east-1 aws 111111111111',
        'commerce-edge * edge us-east-1 aws 111111111111',
        'commerce-drills-global global drill us-east-1 aws 111111111111',
        'commerce-baseline-us-east-1 * account baseline us-east-1 aws 111111111111',
        'commerce-baseline-us-west-2 * account baseline us-west-2 aws 111111111111',
        'commerce-baseline-eusc-de-east-1 * account baseline eusc-de-east-1 aws-eusc 222222222222',
        'commerce-failover * failover control us-west-2 aws 111111111111',
      ].sort(),
    );
    expect(formatStackTable(defaultApp.built.rows)).toMatch(
      /^STACK\s+ZONE\s+ROLE\s+REGION\s+PARTITION\s+ACCOUNT\n/,
    );
  });

  it('orders deployment: replica key -> primary cell -> secondary cell, without cross-region references', () => {
    const primary = defaultApp.stackNamed('commerce-cell-global-us-east-1');
    const secondary = defaultApp.stackNamed('commerce-cell-global-us-west-2');
    const key = defaultApp.stackNamed('commerce-cell-global-us-west-2-key');
    expect(primary.dependencies).toContain(key);
    expect(secondary.dependencies).toEqual(expect.arrayContaining([primary, key]));
    for (const fixture of [defaultApp, euRegional]) {
      const stacks = [
        ...fixture.built.cells,
        ...fixture.built.replicaKeys,
        ...fixture.built.sovereignDns,
        fixture.built.routing,
      ];
      for (const consumer of [
        ...stacks,
        ...(fixture.built.failoverControl ? [fixture.built.failoverControl] : []),
      ]) {
        const imports = [
          ...JSON.stringify(fixture.template(consumer).toJSON()).matchAll(/"Fn::ImportValue":"([^":]+):/g),
        ];
        for (const [, producerName] of imports) {
          const producer = fixture.stackNamed(producerName!);
          expect(`${producer.account}/${producer.region}`).toBe(`${consumer.account}/${consumer.region}`);
        }
      }
    }
  });

  it('shares one bundle per Lambda entry across every cell stack', () => {
    // Identical bundling options in every stack: AssetStaging bundles each entry once per synth.
    const cellEntries = ['api', 'outboxRelay', 'webhookDispatcher'] as const;
    expect(Object.keys(LAMBDA_ENTRIES)).toEqual(expect.arrayContaining([...cellEntries]));
    for (const fixture of [defaultApp, euRegional]) {
      const codeKeys = fixture.built.cells.flatMap((stack) =>
        Object.values(
          fixture
            .template(stack)
            .findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } }),
        ).map((fn) => fn.Properties.Code.S3Key as string),
      );
      expect(codeKeys).toHaveLength(fixture.built.cells.length * cellEntries.length);
      expect(new Set(codeKeys).size).toBe(cellEntries.length);
    }
  });

  it('has no secondary, replica or CDN for the sovereign zone', () => {
    const eu = defaultApp.stackNamed('commerce-cell-eu-eusc-de-east-1');
    const template = defaultApp.template(eu);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ Region: 'eusc-de-east-1' })],
    });
    expect(defaultApp.built.cells.filter((c) => c.cell.zone === 'eu')).toHaveLength(1);
    const edge = defaultApp.template(defaultApp.built.edge!);
    edge.resourceCountIs('AWS::CloudFront::Distribution', 1);
    expect(JSON.stringify(edge.toJSON())).not.toContain('api.eusc-de-east-1.eu.');
    // Until hostedZone.id is set the routing stack's first deployment must not wait for the edge stack.
    for (const fixture of [defaultApp, euRegional]) {
      expect(fixture.built.routing.dependencies).not.toContain(fixture.built.edge);
    }
  });

  it('keeps eu-regional replicas inside the EU and fronts both zones with a catalog CDN', () => {
    const template = euRegional.template(euRegional.stackNamed('commerce-cell-eu-eu-central-1'));
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    const regions = Object.values(tables).flatMap((t) =>
      (t.Properties.Replicas as { Region: string }[]).map((r) => r.Region),
    );
    expect(regions.sort()).toEqual(['eu-central-1', 'eu-west-1']);
    expect(regions.every((r) => regionFacts(r)?.inEu)).toBe(true);
    const edge = euRegional.template(euRegional.built.edge!);
    edge.resourceCountIs('AWS::CloudFront::Distribution', 2);
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        CacheBehaviors: Match.arrayWith([
          Match.objectLike({ PathPattern: `${PUBLIC_CATALOG_PATH_PREFIXES[0]}*` }),
        ]),
      }),
    });
  });

  it('creates a DrillStack only for zones with a secondary in a partition with FIS', () => {
    expect(defaultApp.built.drills.map((d) => d.stackName)).toEqual(['commerce-drills-global']);
    expect(euRegional.built.drills.map((d) => d.stackName).sort()).toEqual([
      'commerce-drills-eu',
      'commerce-drills-global',
    ]);
  });

  it('stops every experiment on alarms that exist in the primary cell, by name', () => {
    // Prepare
    const primary = euRegional.template(euRegional.stackNamed('commerce-cell-eu-eu-central-1'));
    const drill = euRegional.template(euRegional.stackNamed('commerce-drills-eu'));
    const alarmNames = Object.values(primary.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    // Act
    const stopAlarms = Object.values(drill.findResources('AWS::FIS::ExperimentTemplate')).flatMap((t) =>
      (t.Properties.StopConditions as { Value: string }[]).map((c) => c.Value.split(':alarm:')[1]),
    );
    // Assess
    expect(stopAlarms.length).toBeGreaterThan(0);
    expect(alarmNames).toEqual(expect.arrayContaining(stopAlarms));
  });

  it('wraps no production API in the FIS Lambda extension outside an opted-in drill window', () => {
    for (const fixture of [defaultApp, euRegional]) {
      for (const cell of fixture.built.cells) {
        expect(JSON.stringify(fixture.template(cell).toJSON())).not.toContain('aws-fis');
      }
      for (const drill of fixture.built.drills) {
        fixture
          .template(drill)
          .resourcePropertiesCountIs(
            'AWS::FIS::ExperimentTemplate',
            { Actions: { InjectInvocationErrors: Match.anyValue() } },
            0,
          );
      }
    }
  });

  it('deploys the account baseline and the failover control before the cells that need them, the edge after its log buckets', () => {
    for (const fixture of [defaultApp, euRegional]) {
      const failover = fixture.built.failoverControl!;
      for (const cell of fixture.built.cells) {
        const baseline = fixture.stackNamed(`commerce-baseline-${cell.region}`);
        expect(cell.dependencies).toContain(baseline);
        if (fixture.model.zones.find((z) => z.name === cell.cell.zone)!.fencing === 'arc') {
          expect(cell.dependencies).toContain(failover);
        }
      }
      expect(fixture.built.routing.dependencies).toContain(failover);
      const edge = fixture.built.edge!;
      for (const zone of fixture.model.zones.filter((z) => !z.sovereign)) {
        expect(edge.dependencies).toContain(fixture.stackNamed(zone.primary.stackName));
      }
    }
    // The sovereign cell waits for its own partition's baseline, never for an aws stack.
    const sovereign = defaultApp.stackNamed('commerce-cell-eu-eusc-de-east-1');
    expect(sovereign.dependencies.map((d) => d.stackName).sort()).toEqual([
      'commerce-baseline-eusc-de-east-1',
      'commerce-dns-eu',
    ]);
  });

  it('turns on termination protection for routing, DNS, failover-control and cell stacks', () => {
    const protectedStacks = [
      ...defaultApp.built.cells,
      ...defaultApp.built.sovereignDns,
      defaultApp.built.routing,
      defaultApp.built.failoverControl!,
    ];
    for (const stack of protectedStacks)
      expect({ [stack.stackName]: stack.terminationProtection }).toEqual({
        [stack.stackName]: true,
      });
  });
});
