import { HeldFault } from '../../../chaos/injectors/held-fault';
import type { FaultInjector } from '../../../chaos/injectors/types';

describe('chaos/injectors/held-fault HeldFault', () => {
  /** An injector that records what was done to it, in order. */
  function recording(log: string[]): FaultInjector {
    return {
      describe: () => ({
        mechanism: 'local',
        fault: 'replication paused',
        target: 'global',
        simulated: true,
      }),
      inject: async () => {
        log.push('inject');
      },
      rollback: async () => {
        log.push('rollback');
      },
    };
  }

  it('undoes the fault only after the scenario that needs it has finished', async () => {
    // Prepare
    const log: string[] = [];
    let finish: () => void = () => undefined;
    const scenario = new Promise<void>((resolve) => {
      finish = () => {
        log.push('scenario finished');
        resolve();
      };
    });
    const fault = new HeldFault(recording(log), () => scenario);
    // Act
    await fault.inject();
    const rolledBack = fault.rollback();
    await new Promise((resolve) => setImmediate(resolve));
    const beforeFinish = [...log];
    finish();
    await rolledBack;
    // Assess
    expect(beforeFinish).toEqual(['inject']);
    expect(log).toEqual(['inject', 'scenario finished', 'rollback']);
    expect(fault.describe().fault).toBe('replication paused');
  });

  it('still undoes the fault when the scenario failed', async () => {
    // Prepare
    const log: string[] = [];
    const fault = new HeldFault(recording(log), () => Promise.reject(new Error('cell refused')));
    // Act
    await fault.inject();
    await fault.rollback();
    // Assess
    expect(log).toEqual(['inject', 'rollback']);
  });
});
