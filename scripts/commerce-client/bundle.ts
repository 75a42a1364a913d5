import { resolve } from 'node:path';
import { type BuildOptions, type BuildResult, build, type Plugin } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');

/** Where the browser build goes (gitignored; the local topology builds it before serving the kiosk page). */
export const BUNDLE_DIR = 'clients/kiosk/dist';
export const CLIENT_BUNDLE = `${BUNDLE_DIR}/commerce-client.js`;
export const KIOSK_SCRIPT = `${BUNDLE_DIR}/kiosk.js`;

/** The kiosk script imports the client from the bundle beside it, not a second copy of it. */
const clientFromBundle: Plugin = {
  name: 'commerce-client-from-bundle',
  setup(builder) {
    builder.onResolve({ filter: /commerce-client\/browser$/ }, () => ({
      path: './commerce-client.js',
      external: true,
    }));
  },
};

/**
 * The browser build: the client as one ES module (`commerce-client.js`, from browser.ts) and the
 * kiosk page's script (`kiosk.js`), which imports it. `write: false` keeps them in memory (tests).
 */
export async function buildBrowserBundle(
  options: { readonly write?: boolean; readonly minify?: boolean } = {},
) {
  const common: BuildOptions = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome109', 'safari16', 'firefox115'],
    sourcemap: options.write === false ? false : 'linked',
    minify: options.minify ?? false,
    write: options.write ?? true,
    logLevel: 'warning',
    legalComments: 'eof',
  };
  const client: BuildResult = await build({
    ...common,
    entryPoints: [resolve(ROOT, 'clients/commerce-client/browser.ts')],
    outfile: resolve(ROOT, CLIENT_BUNDLE),
    metafile: true,
  });
  const kiosk: BuildResult = await build({
    ...common,
    entryPoints: [resolve(ROOT, 'clients/kiosk/kiosk.ts')],
    outfile: resolve(ROOT, KIOSK_SCRIPT),
    plugins: [clientFromBundle],
  });
  return { client, kiosk };
}
