import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { formatSek } from '../../domain/money';
import { ocrOf } from '../../domain/ocr';
import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';

interface Listed { number: string; kind: string; buyerName: string; total: string }

/** The billing fixture's Q1 run (due 14 February), Stockholm's membership invoice part paid. */
async function billed() {
  const f = await billingFixture();
  expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
  const { invoices } = JSON.parse((await f.run('--json', 'invoices', '--year', '2024')).out) as { invoices: Listed[] };
  const stockholm = (kind: string) => invoices.find((i) => i.buyerName === 'Stockholms stad' && i.kind === kind) as Listed;
  const m = stockholm('membership');
  const t = stockholm('a-conto');
  expect((await f.run('payment', 'record', '--invoice', m.number, '--amount', '30000.00', '--date', '2024-02-10', '--reference', 'BG 1')).code).toBe(0);
  return { f, m, t };
}

describe('samkost reminder: a payment reminder in Swedish for what is past due, nothing stored', () => {
  test('given a member with invoices past due, then the letter lists each with what is left, its days late and its OCR number', async () => {
    const { f, m, t } = await billed();
    const before = eventCount(f.store);
    const r = await f.run('reminder', '--member', '0180', '--at', '2024-03-01');
    expect(r.code).toBe(0);
    const left = new Decimal(m.total).minus(30000);
    expect(r.out).toContain('PÅMINNELSE\n\nTill:  Stockholms stad, org.nr 212000-0142\n       Stadshuset, 105 35 Stockholm\n');
    expect(r.out).toContain('Datum: 2024-03-01\n\nEnligt våra noteringar är följande fakturor obetalda efter förfallodagen:\n');
    const row = (n: string, open: Decimal) => new RegExp(`\n${n}  2024-02-14 +16 +${formatSek(open).replace(/\s/g, '\\s')}  ${ocrOf(n)}\n`);
    expect(r.out).toMatch(row(m.number, left));
    expect(r.out).toMatch(row(t.number, new Decimal(t.total)));
    expect(r.out).toContain(`Summa förfallet: ${formatSek(left.plus(t.total))}\n`);
    expect(r.out).toContain('Har ni redan betalat kan ni bortse från denna påminnelse.');
    expect(eventCount(f.store)).toBe(before);
    // The same day's reminder is the same text.
    expect((await f.run('reminder', '--member', '212000-0142', '--at', '2024-03-01')).out).toBe(r.out);
    // Overpaid, the a-conto invoice is a credit the letter mentions, and no longer late.
    const over = new Decimal(t.total).plus(100).toFixed(2);
    expect((await f.run('payment', 'record', '--invoice', t.number, '--amount', over, '--date', '2024-03-02', '--reference', 'BG 2', '--overpayment')).code).toBe(0);
    const after = (await f.run('reminder', '--member', '0180', '--at', '2024-03-05')).out;
    expect(after).toContain('är följande faktura obetald efter förfallodagen');
    expect(after).not.toMatch(new RegExp(`\n${t.number} `));
    expect(after).toContain(`Ni har också ett tillgodohavande på ${formatSek(new Decimal(100))} (överbetalning eller kreditering), som kan avräknas.`);
  });

  test('given a date before the due date, or a member with nothing late, then there is no reminder; an unknown member is refused', async () => {
    const { f } = await billed();
    expect((await f.run('reminder', '--member', '0180', '--at', '2024-02-14')).out).toBe('Stockholms stad: inget förfallet 2024-02-14; ingen påminnelse\n');
    expect(await f.run('reminder', '--member', '9999', '--at', '2024-03-01')).toMatchObject({ code: 2, err: 'samkost: okänd medlem 9999\n' });
    expect(await f.run('reminder')).toMatchObject({ code: 2, err: 'samkost: ange --member för en påminnelse, eller --out KATALOG för en per medlem med förfallna fakturor\n' });
  });

  test('given --out DIR and no member, then one file per member with something late; --json gives the letters with their figures', async () => {
    const { f, m, t } = await billed();
    const dir = join(f.dir, 'påminnelser');
    const r = await f.run('reminder', '--at', '2024-03-01', '--out', dir);
    const files = readdirSync(dir).sort();
    expect(r.out).toBe(`sparade ${files.length} påminnelser i ${dir}\n`);
    expect(files).toContain('paminnelse-212000-0142-2024-03-01.txt');
    expect(readFileSync(join(dir, 'paminnelse-212000-0142-2024-03-01.txt'), 'utf8')).toBe((await f.run('reminder', '--member', '0180', '--at', '2024-03-01')).out);
    const json = JSON.parse((await f.run('--json', 'reminder', '--member', '0180', '--at', '2024-03-01')).out) as { reminders: { name: string; invoices: { number: string; daysOverdue: number }[]; text: string }[] };
    expect(json.reminders.map((x) => [x.name, x.invoices.map((i) => [i.number, i.daysOverdue])])).toEqual([['Stockholms stad', [[m.number, 16], [t.number, 16]]]]);
  });
});
