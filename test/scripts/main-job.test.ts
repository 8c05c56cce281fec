import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS_FILE, renderNdjson, sambrukCommands } from '../../scripts/sambruk-commands';
import { compiled, runNode } from '../support/processes';

describe('the main job: Sambruk 2023', () => {
  test('the committed commands.ndjson is what the data set gives (regenerate: node dist/scripts/sambruk-commands.js)', () => {
    expect(readFileSync(COMMANDS_FILE, 'utf8')).toBe(renderNdjson(sambrukCommands()));
  });

  test('builds the year on a fresh store, reproduces every invoice and prints the Swedish summary', async () => {
    const summary = join(tmpdir(), `samkost-main-${process.pid}.json`);
    const r = await runNode(compiled('scripts/main-job.js'), [], { SAMKOST_SUMMARY_JSON: summary });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { members: { start: number; end: number }; annualFees: string; replay: { documents: number; reproduced: number } };
    expect(s.members).toEqual({ start: 127, end: 132 });
    expect(s.replay.documents).toBeGreaterThan(500);
    expect(s.replay.reproduced).toBe(s.replay.documents);
    expect(r.stdout).toContain(`${s.replay.documents} av ${s.replay.documents} fakturor och kreditfakturor återskapade byte för byte`);
    expect(r.stdout).toContain('Medlemmar 1 januari 2023: 127, 31 december 2023: 132');
    expect(r.stdout).toContain('simulate --service egil --year 2023');
  });
});
