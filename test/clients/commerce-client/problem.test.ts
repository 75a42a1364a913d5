import { PROBLEM_TYPES } from '../../../lambdas/core/errors';
import { PENDING_PROBLEM_CODES, TRANSIENT_PROBLEM_CODES } from '../../../clients/commerce-client/problem';

describe("the client's transient problem codes", () => {
  it("are exactly the API's transient codes, plus codes the API does not list yet", () => {
    const api = Object.entries(PROBLEM_TYPES) as Array<[string, { transient?: true }]>;
    const apiTransient = api.filter(([, type]) => type.transient).map(([code]) => code);
    const pendingNotYetInApi = [...PENDING_PROBLEM_CODES].filter((code) => !(code in PROBLEM_TYPES));
    expect([...TRANSIENT_PROBLEM_CODES].sort()).toEqual([...apiTransient, ...pendingNotYetInApi].sort());
  });
});
