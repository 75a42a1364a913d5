import { localReference, parseArn, resolveString } from '../../../lib/residency/intrinsics';

const scope = { region: 'eu-central-1', account: '111111111111', partition: 'aws' };

describe('template intrinsics', () => {
  it('resolves joins and subs of pseudo parameters, as CDK writes ARNs', () => {
    const join = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':x:key/k']],
    };

    expect(resolveString(join, scope)).toBe('arn:aws:kms:eu-central-1:x:key/k');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    expect(resolveString({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b-${AWS::AccountId}' }, scope)).toBe(
      'arn:aws:s3:::b-111111111111',
    );
  });

  it('leaves anything the template alone cannot decide unresolved', () => {
    expect(resolveString({ 'Fn::ImportValue': 'Other:Arn' }, scope)).toBeUndefined();
    expect(
      resolveString({ 'Fn::Join': ['', ['arn:', { 'Fn::GetAtt': ['Key', 'Arn'] }]] }, scope),
    ).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
    expect(resolveString({ 'Fn::Sub': 'arn:${Param}' }, scope)).toBeUndefined();
  });

  it('recognises references to resources of the same template, not pseudo parameters', () => {
    expect(localReference({ 'Fn::GetAtt': ['Key961B73FD', 'Arn'] })).toEqual({
      logicalId: 'Key961B73FD',
      attribute: 'Arn',
    });
    expect(localReference({ Ref: 'Bucket' })).toEqual({ logicalId: 'Bucket', attribute: 'Ref' });
    expect(localReference({ Ref: 'AWS::Region' })).toBeUndefined();
  });

  it('parses the region out of an ARN, and none out of an S3 bucket ARN', () => {
    expect(parseArn('arn:aws:logs:us-east-1:333333333333:destination:siem')).toMatchObject({
      service: 'logs',
      region: 'us-east-1',
      resource: 'destination:siem',
    });
    expect(parseArn('arn:aws:s3:::bucket')?.region).toBe('');
    expect(parseArn('alias/foo')).toBeUndefined();
  });
});
