import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { formatSek } from '../../domain/money';
import { ocrOf } from '../../domain/ocr';
import { billingFixture } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

interface Listed { number: string; kind: string; buyerName: string; total: string }

const SELLER = { orgnr: '802428-2090', name: 'Föreningen Sambruk', vatNumber: 'SE802428209001', address: { street: 'Box 1', postalCode: '811 80', city: 'Sandviken' } };

/**
 * The billing fixture's Q1 run (due 14 February), Stockholm's membership invoice part paid, and the CLI
 * with the association configured (with a bankgiro unless told otherwise).
 */
async function billed(bankgiro: string | null = '5050-1055') {
  const f = await billingFixture();
  const config = join(f.dir, 'samkost.config.json');
  writeFileSync(config, JSON.stringify({ seller: { ...SELLER, ...(bankgiro ? { bankgiro } : {}) } }));
  const run = cliOn(f.store, '2025-03-01T09:00:00Z', { SAMKOST_CONFIG: config });
  expect((await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
  const { invoices } = JSON.parse((await run('--json', 'invoices', '--year', '2024')).out) as { invoices: Listed[] };
  const stockholm = (kind: string) => invoices.find((i) => i.buyerName === 'Stockholms stad' && i.kind === kind) as Listed;
  const m = stockholm('membership');
  const t = stockholm('a-conto');
  expect((await run('payment', 'record', '--invoice', m.number, '--amount', '30000.00', '--date', '2024-02-10', '--reference', 'BG 1')).code).toBe(0);
  return { f, run, m, t };
}

/** A row of the letter's table: the invoice, its due date, days late, what is left and (with a bankgiro) its OCR number. */
const row = (n: string, days: number, open: Decimal, ocr = true) =>
  new RegExp(`\\n${n}  2024-02-14 +${days} +${formatSek(open).replace(/\s/g, '\\s')}${ocr ? `  ${ocrOf(n)}` : ''}\\n`);

describe('samkost reminder: a payment reminder in Swedish for what is past due, nothing stored', () => {
  test('given a member with invoices past due, then the letter lists each with what is left, its days late and OCR number, and a new date to pay by', async () => {
    const { f, run, m, t } = await billed();
    const before = eventCount(f.store);
    const r = await run('reminder', '--member', '0180', '--at', '2024-03-01');
    expect(r).toMatchObject({ code: 0, err: '' });
    const left = new Decimal(m.total).minus(30000);
    expect(r.out).toContain('PÅMINNELSE\n\nTill:  Stockholms stad, org.nr 212000-0142\n       Stadshuset, 105 35 Stockholm\nFrån:  Föreningen Sambruk, org.nr 802428-2090\n       Box 1, 811 80 Sandviken\nDatum: 2024-03-01\n');
    expect(r.out).toContain('Enligt våra noteringar är följande fakturor obetalda efter förfallodagen:\n\nFaktura     Förfallodag  Dagar efter förfallodagen');
    expect(r.out).toMatch(row(m.number, 16, left));
    expect(r.out).toMatch(row(t.number, 16, new Decimal(t.total)));
    expect(r.out).toContain(`\nAtt betala: ${formatSek(left.plus(t.total))}\n\nVänligen betala senast 2024-03-11 till bankgiro 5050-1055, med respektive fakturas OCR-nummer.\n`);
    expect(r.out).toContain('Har ni redan betalat kan ni bortse från denna påminnelse. Frågor om fakturorna besvaras av föreningens ekonomifunktion.\n');
    expect(eventCount(f.store)).toBe(before);
    // The same day's reminder is the same text.
    expect((await run('reminder', '--member', '212000-0142', '--at', '2024-03-01')).out).toBe(r.out);

    // Overpaid, the a-conto invoice is a credit set off against what is late, and no longer late itself.
    const over = new Decimal(t.total).plus(100).toFixed(2);
    expect((await run('payment', 'record', '--invoice', t.number, '--amount', over, '--date', '2024-03-02', '--reference', 'BG 2', '--overpayment')).code).toBe(0);
    const after = (await run('reminder', '--member', '0180', '--at', '2024-03-05')).out;
    expect(after).toContain('är följande faktura obetald efter förfallodagen');
    expect(after).not.toMatch(new RegExp(`\\n${t.number} `));
    expect(after).toContain(`Summa förfallet: ${formatSek(left)}\nAvgår ert tillgodohavande: ${formatSek(new Decimal(-100))}\nAtt betala: ${formatSek(left.minus(100))}\n`);
    expect(after).toContain('med fakturans OCR-nummer.\nHar ni redan betalat kan ni bortse från denna påminnelse. Frågor om fakturan besvaras');
  });

  test('given a credit that covers what is late, a date before the due date, or an unknown member, then there is no reminder', async () => {
    const { run, m } = await billed();
    expect((await run('reminder', '--member', '0180', '--at', '2024-02-14')).out).toBe('Stockholms stad: inget att påminna om 2024-02-14 (inget förfallet, eller ett tillgodohavande som täcker det)\n');
    expect(await run('reminder', '--member', '9999', '--at', '2024-03-01')).toMatchObject({ code: 2, err: 'samkost: okänd medlem: ingen kommun med kommunkod 9999 har gått med\n' });
    // receivables --member finds its member the same way, and refuses one that never joined rather than list nobody.
    expect(await run('receivables', '--member', '9999')).toMatchObject({ code: 2, err: 'samkost: okänd medlem: ingen kommun med kommunkod 9999 har gått med\n' });
    expect(await run('receivables', '--member', '212000-0143')).toMatchObject({ code: 2, err: expect.stringMatching(/^samkost: okänd medlem "212000-0143": .*\n$/) });
    expect(await run('reminder')).toMatchObject({ code: 2, err: 'samkost: ange medlemmen (--member) för en påminnelse, eller en katalog (--out) för en per medlem med förfallna fakturor\n' });
    // Everything Stockholm owes paid twice over on the membership invoice: a credit larger than what is late.
    const all = JSON.parse((await run('--json', 'receivables', '--member', '0180')).out) as { open: string };
    const twice = new Decimal(all.open).times(2).toFixed(2);
    expect((await run('payment', 'record', '--invoice', m.number, '--amount', twice, '--date', '2024-02-20', '--reference', 'BG 3', '--overpayment')).code).toBe(0);
    expect((await run('reminder', '--member', '0180', '--at', '2024-03-01')).out).toContain('inget att påminna om');
  });

  test('without a bankgiro configured, the letter asks for the invoice number as the reference and shows no OCR numbers', async () => {
    const { run, m } = await billed(null);
    const r = (await run('reminder', '--member', '0180', '--at', '2024-03-01')).out;
    expect(r).toMatch(row(m.number, 16, new Decimal(m.total).minus(30000), false));
    expect(r).not.toContain('OCR');
    expect(r).toContain('Vänligen betala senast 2024-03-11, med respektive fakturas nummer som referens.');
  });

  test('given --out DIR and no member, then one file per member with something late; --json gives the figures, the letters and the files', async () => {
    const { f, run, m, t } = await billed();
    const dir = join(f.dir, 'påminnelser');
    const r = await run('reminder', '--at', '2024-03-01', '--out', dir);
    const files = readdirSync(dir).sort();
    expect(r.out).toBe(`sparade ${files.length} påminnelser i ${dir}\n`);
    expect(files).toContain('paminnelse-212000-0142-2024-03-01.txt');
    expect(readFileSync(join(dir, 'paminnelse-212000-0142-2024-03-01.txt'), 'utf8')).toBe((await run('reminder', '--member', '0180', '--at', '2024-03-01')).out);
    type Json = { reminders: { name: string; payBy: string; toPay: string; late: { number: string; daysOverdue: number; ocr: string }[]; text: string }[]; files?: string[] };
    const json = JSON.parse((await run('--json', 'reminder', '--member', '0180', '--at', '2024-03-01')).out) as Json;
    expect(json.reminders.map((x) => [x.name, x.payBy, x.late.map((i) => [i.number, i.daysOverdue, i.ocr])])).toEqual([['Stockholms stad', '2024-03-11', [[m.number, 16, ocrOf(m.number)], [t.number, 16, ocrOf(t.number)]]]]);
    const written = JSON.parse((await run('--json', 'reminder', '--at', '2024-03-01', '--out', join(f.dir, 'igen'))).out) as Json;
    expect(written.files?.length).toBe(files.length);
  });

  test('given --out DIR in a directory that is not there (a mistyped path), then it is refused in one line, exit code 2, and nothing is made', async () => {
    const { f, run } = await billed();
    const dir = join(f.dir, 'saknas', 'påminnelser');
    const r = await run('reminder', '--at', '2024-03-01', '--out', `${dir}/`);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: kan inte skriva ${dir}/: katalogen ${join(f.dir, 'saknas')} som den ska ligga i finns inte; bara den sista katalogen i sökvägen skapas\n` });
    expect(existsSync(join(f.dir, 'saknas'))).toBe(false);
  });
});
