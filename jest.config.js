/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  // Multi-process store tests spawn children and SQLite fsyncs: give them room on a 2-core machine.
  testTimeout: 60000,
  maxWorkers: 2,
  // Lists every test, so the output shows the EventStoreDB suite as skipped with its reason.
  verbose: true,
};
