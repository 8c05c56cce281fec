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
    // Piped, the progress is a line per step on stderr, and nothing else is there (no warning, no error);
    // stdout is the summary alone.
    expect(r.stderr.split('\n').filter(Boolean).every((l) => /^\[[ \d]\d\/\d+\] \S/.test(l))).toBe(true);
    expect(r.stderr).toMatch(/^\[ 1\/(\d+)\] medlemmar, [^]*\n\[\1\/\1\] uppspelning av 2023 års fakturor\n$/);
    expect(r.stdout).not.toMatch(/^\[[ \d]\d\/\d+\]/m);
    expect(r.stdout).toMatch(/^\nSambruk 2023 — sammanfattning/);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { members: { start: number; end: number }; annualFees: string; replay: { documents: number; reproduced: number } };
    expect(s.members).toEqual({ start: 127, end: 132 });
    expect(s.replay.documents).toBeGreaterThan(500);
    expect(s.replay.reproduced).toBe(s.replay.documents);
    expect(r.stdout).toContain(`${s.replay.documents} av ${s.replay.documents} fakturor och kreditfakturor återskapade byte för byte`);
    expect(r.stdout).toContain('Medlemmar 1 januari 2023: 127, 31 december 2023: 132');
    expect(r.stdout).toContain('simulate --service egil --year 2023');
    // A price list's figure is the sum of its prices, not its cost with overhead: the heading and its line say so.
    expect(r.stdout).toContain('Tjänsternas kostnad 2023 per befolkningsnivå (utfall + 5 % förvaltningspåslag; för en prislistetjänst summan av deltagarnas priser):\n');
    expect(r.stdout).toMatch(/\n {2}Bibblix +1 339 166,66 kr .*\n {19}prislista: summan av priserna; utfall \+ påslag 1 522 500,00 kr\n/);
    // A command to type, without Markdown's backticks.
    expect(r.stdout).toContain('som samkost ledger --year 2023 visar den):');
    expect(r.stdout).not.toContain('`');
  });
});
