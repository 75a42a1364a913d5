import { formatStackTable } from '../../../lib/app/stack-table';

describe('formatStackTable', () => {
  it('prints aligned columns ordered by zone, then region', () => {
    const table = formatStackTable([
      {
        stackName: 'c-routing',
        zone: '*',
        role: 'routing',
        region: 'us-east-1',
        partition: 'aws',
        account: '111111111111',
      },
      {
        stackName: 'c-cell-b-us-west-2',
        zone: 'b',
        role: 'secondary cell',
        region: 'us-west-2',
        partition: 'aws',
        account: '111111111111',
      },
      {
        stackName: 'c-cell-b-us-east-1',
        zone: 'b',
        role: 'primary cell',
        region: 'us-east-1',
        partition: 'aws',
        account: '111111111111',
      },
      {
        stackName: 'c-cell-a-eusc-de-east-1',
        zone: 'a',
        role: 'primary cell',
        region: 'eusc-de-east-1',
        partition: 'aws-eusc',
        account: '222222222222',
      },
    ]);
    expect(table.split('\n')).toEqual([
      'STACK                    ZONE  ROLE            REGION          PARTITION  ACCOUNT',
      'c-routing                *     routing         us-east-1       aws        111111111111',
      'c-cell-a-eusc-de-east-1  a     primary cell    eusc-de-east-1  aws-eusc   222222222222',
      'c-cell-b-us-east-1       b     primary cell    us-east-1       aws        111111111111',
      'c-cell-b-us-west-2       b     secondary cell  us-west-2       aws        111111111111',
      '',
    ]);
  });
});
