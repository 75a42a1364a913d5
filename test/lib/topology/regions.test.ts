import { RegionInfo } from 'aws-cdk-lib/region-info';
import { REGIONS } from '../../../lib/topology/regions';

describe('region catalog', () => {
  it.each(Object.entries(REGIONS))('%s has the partition aws-cdk-lib knows', (name, facts) => {
    expect(facts.partition).toBe(RegionInfo.get(name).partition);
  });
});
