import { SERVED_BY_HEADER as EDGE_SERVED_BY_HEADER } from '../../local/edge-router';
import { parseServedBy, SERVED_BY_HEADER, servedByLabel } from '../../loadtests/flow';

describe('shopper flow helpers', () => {
  it('reads the same served-by header the local edge router writes', () => {
    // The k6 bundle cannot import local/ (Node-only), so the name is repeated; this keeps them equal.
    expect(SERVED_BY_HEADER).toBe(EDGE_SERVED_BY_HEADER);
  });

  it('parses <zone>/<region> and a bare region', () => {
    expect(parseServedBy('global/us-west-2')).toEqual({ zone: 'global', region: 'us-west-2' });
    expect(parseServedBy('us-west-2')).toEqual({ zone: undefined, region: 'us-west-2' });
    expect(parseServedBy(null)).toBeUndefined();
    expect(servedByLabel(parseServedBy('eu/eusc-de-east-1'))).toBe('eu/eusc-de-east-1');
    expect(servedByLabel(undefined)).toBe('unknown');
  });
});
