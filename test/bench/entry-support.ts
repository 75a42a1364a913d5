/**
 * A bench entry does nothing at import: its argv is parsed, and the bench run,
 * only by `main`. Loads the entry with arguments that would stop it with
 * exit code 2 if read at import, then calls `main` with them.
 */
export async function expectInertEntry(modulePath: string): Promise<void> {
  const argv = process.argv;
  process.argv = [argv[0]!, 'bench', '--runs', 'zero'];
  const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const entry = require(modulePath) as { main: (argv: string[]) => number | Promise<number> };
    expect(exit).not.toHaveBeenCalled();
    expect(await entry.main(['--runs', 'zero'])).toBe(2);
    expect(exit).not.toHaveBeenCalled();
  } finally {
    process.argv = argv;
    exit.mockRestore();
    stderr.mockRestore();
    error.mockRestore();
  }
}
