import { TableDigest } from '../../local/table-digest';

describe('local/table-digest TableDigest', () => {
  const item = (pk: string, value: string) => ({ pk: { S: pk }, sk: { S: 'ITEM' }, value: { S: value } });

  it('gives two tables with the same items the same digest, whatever order and history got them there', () => {
    // Prepare
    const east = new TableDigest();
    const west = new TableDigest();
    // Act: east inserts a then b; west inserts b, inserts a with another value, updates it, inserts c, removes c.
    east.apply('a', undefined, item('a', '2'));
    east.apply('b', undefined, item('b', '1'));
    west.apply('b', undefined, item('b', '1'));
    west.apply('a', undefined, item('a', '1'));
    west.apply('a', item('a', '1'), item('a', '2'));
    west.apply('c', undefined, item('c', '1'));
    west.apply('c', item('c', '1'), undefined);
    // Assess
    expect(west.hex).toBe(east.hex);
    expect(west.recordsRead).toBe(5);
  });

  it('tells tables apart by one attribute of one item, and an empty table is all zeros', () => {
    // Prepare
    const one = new TableDigest();
    const other = new TableDigest();
    const empty = new TableDigest();
    // Act
    one.apply('a', undefined, item('a', '1'));
    other.apply('a', undefined, item('a', '2'));
    // Assess
    expect(one.hex).not.toBe(other.hex);
    expect(empty.hex).toBe('0'.repeat(64));
  });

  it('reads attribute maps in any key order as the same item', () => {
    // Prepare
    const ordered = new TableDigest();
    const shuffled = new TableDigest();
    // Act
    ordered.apply('a', undefined, { pk: { S: 'a' }, sk: { S: 'ITEM' }, n: { N: '1' } });
    shuffled.apply('a', undefined, { n: { N: '1' }, sk: { S: 'ITEM' }, pk: { S: 'a' } });
    // Assess
    expect(shuffled.hex).toBe(ordered.hex);
  });
});
