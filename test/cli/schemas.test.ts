import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandJsonSchemas } from '../../src/schemas';

describe('published JSON Schemas of the commands (docs/schemas/commands)', () => {
  test.each([...commandJsonSchemas().entries()])('%s is current with the zod schema (regenerate with `npm run schemas`)', (type, schema) => {
    const published = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'schemas', 'commands', `${type}.json`), 'utf8'));
    expect(published).toEqual(schema);
  });
});
