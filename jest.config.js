/**
 * Jest: TypeScript is transpiled by esbuild (fast, no type check); `npm run build` type-checks.
 * Three projects, decided from each test's imports (test/support/projects.js): `unit` needs nothing but Node;
 * `integration` reaches DynamoDB Local, which the project's global setup starts once for the run; `drills`
 * are integration tests that run a drill and judge wall-clock bounds.
 *   npm run test:unit                       # daily work: no JVM, every core
 *   npm test                                # all three (`npm run verify` runs unit and integration on every core, then drills as many at a time as the host has idle cores, at most two: scripts/drill-workers.js)
 */
const { partitionTests } = require('./test/support/projects');

// These machines run Node 20; the SDK's notice about its future Node 22 floor is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Cells booted by tests log every request at INFO and emit EMF lines; keep test output to warnings and failures
// (the metrics test reads the serialized EMF directly).
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js',
    // jose 6 ships ESM only; jest (CommonJS on Node 20) needs it transpiled.
    '/node_modules/jose/.+\\.js$': '<rootDir>/test/support/esbuild-transform.js',
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

const { unit, integration, drills } = partitionTests();
const reachesDynamoDbLocal = {
  ...shared,
  globalSetup: '<rootDir>/test/support/dynamodb-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-global-teardown.ts',
};

module.exports = {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: unit },
    { ...reachesDynamoDbLocal, displayName: 'integration', testMatch: integration },
    { ...reachesDynamoDbLocal, displayName: 'drills', testMatch: drills },
  ],
};
