/** Writes docs/schemas/commands/<type>.json from the zod schemas: `npm run schemas`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { projectRoot } from './paths';
import { join } from 'node:path';
import { commandJsonSchemas } from '../src/schemas';

const dir = join(projectRoot(), 'docs', 'schemas', 'commands');
mkdirSync(dir, { recursive: true });
for (const [type, schema] of commandJsonSchemas()) {
  writeFileSync(join(dir, `${type}.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
process.stdout.write(`wrote ${commandJsonSchemas().size} command schemas to ${dir}\n`);
