/**
 * The main job a newcomer runs (`npm start`): builds a fresh embedded store from a small illustrative data
 * set through the same commands a user would type, then shows the register, the fees and the verification.
 * The full Sambruk 2023 year (issue 8) replaces this data set as the engine grows.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli/main';

const root = join(__dirname, '..', '..');
const store = join(root, 'data', 'demo.db');

async function step(title: string, ...args: string[]): Promise<void> {
  process.stdout.write(`\n$ samkost ${args.join(' ')}    # ${title}\n`);
  const code = await main(['node', 'samkost', '--store', store, '--actor', 'demo', ...args]);
  if (code !== 0) {
    process.stderr.write(`step failed with exit code ${code}\n`);
    process.exit(code);
  }
}

async function run(): Promise<void> {
  rmSync(store, { force: true });
  rmSync(`${store}-wal`, { force: true });
  rmSync(`${store}-shm`, { force: true });
  await step('befolkning, avgiftsplan och medlemmar', 'apply', join(root, 'scripts', 'data', 'demo', 'commands.ndjson'));
  await step('samma fil igen: inget dubbleras', 'apply', join(root, 'scripts', 'data', 'demo', 'commands.ndjson'));
  await step('medlemsregistret', 'members', '--at', '2023-12-31');
  await step('avgifter 2023', 'fees', '--year', '2023');
  await step('hashkedjorna', 'verify');
  process.stdout.write(`\nStore: ${store}\nTry: node bin/samkost.js --store ${store} events --stream member-212000-1124 --json\n`);
}

void run();
