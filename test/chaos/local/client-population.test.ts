import { type OperationSample, populationRecovery } from '../../../chaos/local/client-population';

const FAULT = 10_000;
const ROLLBACK = 30_000;
const read = (startedMs: number, endedMs: number, ok = true): OperationSample => ({
  kind: 'read',
  startedMs,
  endedMs,
  ok,
});
const order = (
  startedMs: number,
  endedMs: number,
  ok: boolean,
  waitedForWriter = false,
): OperationSample => ({
  kind: 'order',
  startedMs,
  endedMs,
  ok,
  ...(waitedForWriter ? { waitedForWriter } : {}),
});

describe('populationRecovery', () => {
  it('counts orders refused not_writer before the zone took writes again apart, not as failures of the client', () => {
    // Arrange: reads move at once; two orders meet not_writer until the promotion, 3 s after the fault
    const samples = [
      read(9_000, 9_100),
      read(10_050, 10_200),
      order(10_100, 12_000, false, true),
      order(11_000, 13_500, true, true),
      read(12_100, 12_200),
      order(13_600, 13_750, true),
    ];

    // Act
    const recovery = populationRecovery(samples, FAULT, ROLLBACK);

    // Assert
    expect(recovery.failedAfterFault).toBe(0);
    expect(recovery.refusedNoWriter).toBe(1);
    expect(recovery.writerBackMs).toBe(3_500);
    // The reads' recovery, not the promotion's: the 200 ms read in flight at the fault.
    expect(recovery.rtoMs).toBe(200);
    expect(recovery.operationsAfterFault).toBe(5);
  });

  it('counts an order refused not_writer after the zone took writes again as a failure', () => {
    // Arrange: the zone took writes at 13.5 s; a later order still meets not_writer (stale routing, a bug)
    const samples = [
      order(11_000, 13_500, true, true),
      order(14_000, 15_000, false, true),
      read(15_100, 15_200),
    ];

    // Act
    const recovery = populationRecovery(samples, FAULT, ROLLBACK);

    // Assert
    expect(recovery.failedAfterFault).toBe(1);
    expect(recovery.failures.map((s) => s.startedMs)).toEqual([14_000]);
    expect(recovery.refusedNoWriter).toBe(0);
  });

  it('sets nothing apart when no order succeeded after the fault (a promotion that never came)', () => {
    // Arrange: every order meets not_writer; reads are served
    const samples = [
      order(10_100, 12_000, false, true),
      read(12_100, 12_200),
      order(12_300, 14_000, false, true),
    ];

    // Act
    const recovery = populationRecovery(samples, FAULT, ROLLBACK);

    // Assert
    expect(recovery.writerBackMs).toBeUndefined();
    expect(recovery.refusedNoWriter).toBe(0);
    expect(recovery.failedAfterFault).toBe(2);
  });
});
