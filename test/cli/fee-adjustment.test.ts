import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { billingFixture } from '../support/billing-fixture';

/*
 * Rules 11: a fee already billed is billed again by what it is short of (the fee the stored facts now give
 * less what its lines bill net of credit notes), on an adjustment line of its own due key; a fee billed
 * beyond what the fees give is named by every run and stops the year's close until its line is credited.
 */

interface Line { lineNo: number; dueKey: string; kind: string; description: string; amount: string }
interface Invoice { number: string; series: string; buyer: { name: string }; lines: Line[] }
interface Listed { invoices: { number: string; buyerName: string }[] }
interface Traced { lines: { matches: boolean; recomputed: string | null; amount: string; problems: string[] }[] }

async function fixture() {
  const f = await billingFixture();
  const feeInvoices = async (name: string): Promise<Invoice[]> => {
    const { invoices } = await f.json<Listed>('invoices', '--year', '2024');
    const numbers = invoices.filter((i) => i.number.startsWith('M') && i.buyerName === name).map((i) => i.number);
    return Promise.all(numbers.map((n) => f.json<Invoice>('invoice', 'show', n)));
  };
  /** Göteborg's population at the end of 2023 corrected in a new SCB table for the same day. */
  const correctGoteborg = async (population: number) => {
    const file = join(f.dir, `pop-${population}.csv`);
    writeFileSync(file, `code,name,county,population,year\n0180,Stockholm,Stockholms län,900000,2023\n1480,Göteborg,Västra Götalands län,${population},2023\n1280,Malmö,Skåne län,5000,2023\n`);
    expect((await f.run('population', 'import', file)).code).toBe(0);
  };
  const traced = async (number: string) => (await f.json<Traced>('trace', number, '--format', 'json')).lines;
  return { f, feeInvoices, correctGoteborg, traced };
}

describe('rules 11: a fee billed short is billed again by the difference', () => {
  test('given Stockholm\'s fee invoice credited whole, when the next quarter is run, then an adjustment line bills the fee again, traced to the fee less the credited line; no later run bills it twice', async () => {
    const { f, feeInvoices, traced } = await fixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const [first] = await feeInvoices('Stockholms stad');
    expect((await f.run('invoice', 'credit', first.number, '--reason', 'Fel nivå', '--date', '2024-01-20')).code).toBe(0);

    const q2 = await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-20');
    expect(q2.code).toBe(0);
    expect(q2.err).not.toContain('medlemsavgift');
    const [, adjustment] = await feeInvoices('Stockholms stad');
    expect(adjustment.lines).toEqual([expect.objectContaining({
      lineNo: 1, kind: 'annual-fee', dueKey: 'fee/2024/212000-0142/annual-fee/justering-1', amount: '80000.00',
      description: `Årsavgift 2024, mer än 150 000 invånare: tillägg, 80 000,00 kr enligt avgifterna, tidigare fakturerat netto 0,00 kr (${first.number} rad 1: 80 000,00 kr, krediterat 80 000,00 kr)`,
    })]);
    expect(await traced(adjustment.number)).toEqual([expect.objectContaining({ matches: true, recomputed: '80000.00', problems: [] })]);
    // Its sources name the credit note that took the fee off, beside the invoice that billed it.
    const shown = await f.json<{ lines: { provenance: { refs: { type: string }[] } }[] }>('invoice', 'show', adjustment.number);
    expect(shown.lines[0].provenance.refs.map((r) => r.type)).toEqual(expect.arrayContaining(['InvoiceIssued', 'CreditNoteIssued']));
    const text = (await f.run('trace', adjustment.number, '--line', '1')).out;
    expect(text).toContain('80 000,00 kr enligt avgifterna − 0,00 kr redan fakturerat netto');

    expect((await f.run('invoice', 'run', '--period', '2024-Q3', '--date', '2024-07-15')).code).toBe(0);
    expect(await feeInvoices('Stockholms stad')).toHaveLength(2);
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
    expect((await f.run('verify')).code).toBe(0);
    // An auditor's package remakes the line's trace from its events, and its voucher, as the store does.
    const dir = join(f.dir, 'audit-2024');
    const exported = await f.run('--json', 'export', 'audit', '--year', '2024', '--out', dir);
    expect(exported.code).toBe(0);
    expect(checkAudit(dir, (JSON.parse(exported.out) as { manifestSha256: string }).manifestSha256)).toMatchObject({ ok: true, problems: [] });
  });

  test('given Göteborg\'s population corrected upwards after its fee was billed (50 000 → 65 000 kr), when the next quarter is run, then the 15 000,00 kr it is short of is billed', async () => {
    const { f, feeInvoices, correctGoteborg, traced } = await fixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    await correctGoteborg(120000);
    expect((await f.json<{ members: { name: string; total: string }[] }>('fees', '--year', '2024')).members.find((m) => m.name === 'Göteborgs Stad')?.total).toBe('65000.00');

    expect((await f.run('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-20')).code).toBe(0);
    const [first, adjustment] = await feeInvoices('Göteborgs Stad');
    expect(first.lines.map((l) => l.amount)).toEqual(['50000.00']);
    expect(adjustment.lines.map((l) => [l.dueKey, l.amount])).toEqual([['fee/2024/212000-1355/annual-fee/justering-1', '15000.00']]);
    expect(await traced(adjustment.number)).toEqual([expect.objectContaining({ matches: true, recomputed: '15000.00' })]);
    expect((await f.run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });
});

describe('rules 11: a fee billed beyond what the fees give', () => {
  test('given Göteborg\'s population corrected downwards after its fee was billed, then each run names the line to credit, the year cannot be closed, and once the line is credited the next run bills the fee as it is', async () => {
    const { f, feeInvoices, correctGoteborg } = await fixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    await correctGoteborg(30000);
    const [first] = await feeInvoices('Göteborgs Stad');

    const rest = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
    expect(rest.code).toBe(0);
    expect(rest.err).toContain(`samkost: varning: en medlemsavgift fakturerade med mer än avgifterna ger (Göteborgs Stad: årsavgift 35 000,00 kr enligt avgifterna, fakturerat netto 50 000,00 kr på ${first.number} rad 1: 50 000,00 kr); en körning krediterar inte skillnaden`);
    expect(await feeInvoices('Göteborgs Stad')).toHaveLength(1);
    // --json names every such fee with its lines, where the text names three.
    const json = await f.json<{ feesBilledBeyond: unknown[] }>('invoice', 'run', '--period', '2024', '--date', '2024-04-21');
    expect(json.feesBilledBeyond).toEqual([{
      member: '212000-1355', name: 'Göteborgs Stad', kind: 'annual-fee', due: '35000.00', billedNet: '50000.00',
      lines: [{ invoice: first.number, lineNo: 1, amount: '50000.00', credited: '0.00' }],
    }]);
    const close = await f.run('year', 'close', '2024', '--date', '2025-02-01');
    expect([close.code, close.err]).toEqual([2, `samkost: year.close 2024: en medlemsavgift är fakturerad med mer än avgifterna ger (Göteborgs Stad: 35 000,00 kr enligt avgifterna, fakturerat netto 50 000,00 kr på ${first.number} rad 1: 50 000,00 kr); kreditera raden och kör samkost invoice run för året först\n`]);

    expect((await f.run('invoice', 'credit', first.number, '--lines', '1', '--reason', 'Rättad folkmängd', '--date', '2024-05-02')).code).toBe(0);
    const again = await f.run('invoice', 'run', '--period', '2024', '--date', '2024-05-02');
    expect(again.code).toBe(0);
    expect(again.err).not.toContain('medlemsavgift');
    const [, adjustment] = await feeInvoices('Göteborgs Stad');
    expect(adjustment.lines.map((l) => [l.dueKey, l.amount])).toEqual([['fee/2024/212000-1355/annual-fee/justering-1', '35000.00']]);
    // Nothing of the fees stops the close now: the service's settlement does.
    expect((await f.run('year', 'close', '2024', '--date', '2025-02-01')).err).toMatch(/^samkost: year\.close 2024: slutreglera först dessa tjänster: egil\n$/);
  });
});
