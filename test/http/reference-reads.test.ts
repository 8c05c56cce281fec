import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer } from '../../src/http/server';
import { main } from '../../src/cli/main';
import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';

/*
 * The fee schedule, the levies and the population tables over HTTP: each read's body is what the CLI prints
 * with --json, something named well that is not there is 404, something named badly 400, as for every read.
 */

const LEVY_2007 = join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'levy-2007.json');

/** The billing fixture (SCB 2023: Stockholm, Göteborg, Malmö; the 2020 schedule for 2024) with a levy decided for 2024, served in-process. */
async function served() {
  const f = await billingFixture();
  const levy = join(f.dir, 'levy.json');
  writeFileSync(levy, JSON.stringify({ ...JSON.parse(readFileSync(LEVY_2007, 'utf8')), year: 2024, levyId: 'extra-2024', decisionRef: 'Stämma 2024 §9', decidedOn: '2024-02-22' }));
  const decided = await f.run('levy', 'decide', levy);
  if (decided.code !== 0) throw new Error(decided.err);
  const app = buildServer({ store: f.store, actor: 'http-test', env: {}, clock: { now: () => new Date('2024-03-01T10:00:00Z') }, run: main });
  const answer = async (url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return [r.statusCode, r.json()];
  };
  return { f, answer };
}

describe('GET /v1/schedules, /v1/levies and /v1/population', () => {
  test('given the schedule adopted for 2024, when GET /v1/schedules?year=2024, then schedule show --json; a year without one 404, a year malformed or missing 400', async () => {
    const { f, answer } = await served();
    const before = eventCount(f.store);
    expect(await answer('/v1/schedules?year=2024')).toEqual([200, await f.json('schedule', 'show', '--year', '2024')]);
    expect(await answer('/v1/schedules?year=2030')).toEqual([404, { error: 'ingen avgiftsplan är antagen för 2030 (antagna: 2024); anta en med `samkost schedule adopt`' }]);
    expect(await answer('/v1/schedules?year=abc')).toEqual([400, { error: 'parametern year ska vara ett årtal mellan 1990 och 2100, inte "abc"' }]);
    expect(await answer('/v1/schedules')).toEqual([400, { error: 'parametern year måste anges' }]);
    expect(await answer('/v1/schedules?yeer=2024')).toEqual([400, { error: 'okänd parameter yeer; menade du year?' }]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a levy decided for 2024, when GET /v1/levies?year=2024, then levies --json; a year without levies is an empty list', async () => {
    const { f, answer } = await served();
    const [status, body] = await answer('/v1/levies?year=2024');
    expect(status).toBe(200);
    expect(body).toEqual(await f.json('levies', '--year', '2024'));
    expect(body).toMatchObject({ year: 2024, levies: [{ levyId: 'extra-2024', event: { streamId: 'levy-2024', revision: 0 } }] });
    expect(await answer('/v1/levies?year=2025')).toEqual([200, { year: 2025, levies: [] }]);
    expect(await answer('/v1/levies?year=24')).toEqual([400, { error: 'parametern year ska vara ett årtal mellan 1990 och 2100, inte "24"' }]);
    expect(await answer('/v1/levies?yeer=2024')).toEqual([400, { error: 'okänd parameter yeer; menade du year?' }]);
  });

  test('given the SCB table of 2023, when GET /v1/population with year and kommun, then population show --json; a table or kommunkod not there 404, a malformed kommunkod 400', async () => {
    const { f, answer } = await served();
    expect(await answer('/v1/population')).toEqual([200, await f.json('population', 'show')]);
    expect(await answer('/v1/population?year=2024')).toEqual([200, await f.json('population', 'show', '--year', '2024')]);
    const [status, body] = await answer('/v1/population?year=2024&kommun=1480');
    expect(status).toBe(200);
    expect(body).toEqual(await f.json('population', 'show', '--year', '2024', '--kommun', '1480'));
    expect(body).toMatchObject({ feeYear: 2024, table: { year: 2023, referenceDate: '2023-12-31' }, rows: [{ code: '1480', name: 'Göteborg', population: 60000 }] });
    expect(await answer('/v1/population?kommun=0180')).toEqual([200, await f.json('population', 'show', '--kommun', '0180')]);
    expect(await answer('/v1/population?year=2030')).toEqual([404, { error: 'ingen befolkningstabell för 2029 finns registrerad (avgifterna för 2030 bygger på SCB:s folkmängd 31 december 2029; registrerade: 2023); importera en med `samkost population import`' }]);
    expect(await answer('/v1/population?kommun=9999')).toEqual([404, { error: 'kommunkod 9999 finns inte i någon registrerad SCB-tabell (registrerade: 2023)' }]);
    expect(await answer('/v1/population?kommun=180')).toEqual([400, { error: 'parametern kommun ska vara en kommunkod med fyra siffror, t.ex. 0180, inte "180"' }]);
    expect(await answer('/v1/population?kommune=0180')).toEqual([400, { error: 'okänd parameter kommune; menade du kommun?' }]);
  });
});
