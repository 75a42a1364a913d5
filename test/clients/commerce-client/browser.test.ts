import { buildBrowserBundle } from '../../../scripts/commerce-client/bundle';

describe('browser build (esbuild)', () => {
  it('bundles the client as one ES module with no Node built-ins, and the kiosk script imports that bundle', async () => {
    const { client, kiosk } = await buildBrowserBundle({ write: false });
    expect(client.errors).toEqual([]);
    const [clientFile] = client.outputFiles!.filter((file) => file.path.endsWith('commerce-client.js'));
    const text = clientFile!.text;
    expect(text).not.toMatch(/\brequire\(|from\s*["']node:|import\(["']node:/);
    for (const name of ['createCommerceClient', 'Outbox', 'CatalogCache', 'IndexedDbStore', 'MemoryStore']) {
      expect(text).toMatch(new RegExp(`export\\s*\\{[^}]*\\b${name}\\b`));
    }
    const inputs = Object.keys(client.metafile!.inputs);
    expect(inputs.some((input) => input.includes('storage/file-store'))).toBe(false);
    expect(inputs.some((input) => input.includes('lambdas/'))).toBe(false);

    const kioskText = kiosk.outputFiles!.find((file) => file.path.endsWith('kiosk.js'))!.text;
    expect(kioskText).toContain('from "./commerce-client.js"');
    expect(kioskText).not.toContain('createTransport'); // the client is not bundled twice
  });
});
