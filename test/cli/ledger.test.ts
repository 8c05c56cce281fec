import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { type Command, CommandValidationError, parseCommand } from '../../domain/commands';
import { decide } from '../../domain/decide';
import { DomainError } from '../../domain/errors';
import { evolve, initialState, type State } from '../../domain/state';
import { openBalance } from '../../domain/state';
import { balanceSheet, chartFor, journal, ledger, openingBalances, trialBalance } from '../../projections/ledger';
import { selfCost } from '../../projections/selfcost';
import { DEFAULT_CONFIG } from '../../src/config';
import { sieVoucherId } from '../../src/cli/ledger-commands';
import { readSie } from '../../src/export/sie';
import { billingFixture, establishService } from '../support/billing-fixture';
import { fakeRef } from '../support/spec';

interface Tx { account: string; amount: string }
interface VoucherJson { series: string; number: string; date: string; text: string; transactions: Tx[] }
interface TrialJson { account: string; name: string; type: string; opening: string; debit: string; credit: string; balance: string; closing: string }
interface Line { label: string; amount: string }
interface LedgerJson {
  year: number;
  vouchers: VoucherJson[];
  trial: TrialJson[];
  incomeStatement: { revenue: Line[]; expenses: Line[]; operatingResult: string; result: string };
  balanceSheet: { assets: Line[]; equity: Line[]; liabilities: Line[]; totalAssets: string; totalEquity: string; totalLiabilities: string; totalEquityAndLiabilities: string };
}
interface SelfCostJson {
  services: { serviceId: string; fullCost: string; billedAconto: string; settled: string; billedTotal: string; overUnder: string | null; settlementRemaining: string | null; carriedForward: string; evenOutBy: number | null }[];
}
interface InvoicesJson { invoices: { number: string; kind: string; buyer: string; buyerName: string; total: string; open: string }[] }

/** Öre as a bigint: exact for any amount. */
const ore = (s: string | undefined): bigint => {
  if (s === undefined) return 0n;
  const [int, dec = ''] = s.replace('-', '').split('.');
  const v = BigInt(int) * 100n + BigInt((dec + '00').slice(0, 2));
  return s.startsWith('-') ? -v : v;
};
const total = (xs: (string | undefined)[]) => xs.reduce((a, x) => a + ore(x), 0n);
const closing = (l: LedgerJson, account: string) => ore(l.trial.find((r) => r.account === account)?.closing);
const line = (lines: Line[], label: string) => ore(lines.find((l) => l.label === label)?.amount);

/** Double entry holds: every voucher, the trial balance, and the balance sheet. */
function expectBooksBalance(l: LedgerJson): void {
  for (const v of l.vouchers) expect([`${v.series} ${v.number}`, total(v.transactions.map((t) => t.amount))]).toEqual([`${v.series} ${v.number}`, 0n]);
  expect(total(l.trial.map((r) => r.balance))).toBe(0n);
  expect(total(l.trial.map((r) => r.opening))).toBe(0n);
  expect(total(l.trial.map((r) => r.closing))).toBe(0n);
  expect(total(l.trial.map((r) => r.debit))).toBe(total(l.trial.map((r) => r.credit)));
  expect(ore(l.balanceSheet.totalAssets)).toBe(ore(l.balanceSheet.totalEquityAndLiabilities));
  expect(ore(l.balanceSheet.totalEquityAndLiabilities)).toBe(ore(l.balanceSheet.totalEquity) + ore(l.balanceSheet.totalLiabilities));
}

const ORG = { orgnr: '802400-1235', name: 'Åländska Ärendeförbundet Östra' };

/**
 * The fixture's 2024 plus an organisation with Å, Ä and Ö in its name: a yearly invoice run, partial
 * payments, a credit note of one a-conto line, and two supplier invoices 10 % over the EGIL budget.
 */
async function yearOfBilling() {
  const f = await billingFixture();
  const ok = async (...args: string[]) => {
    const r = await f.run(...args);
    if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
    return r;
  };
  await ok('member', 'join', '--orgnr', ORG.orgnr, '--kind', 'organisation', '--name', ORG.name, '--date', '2024-01-01', '--decision', 'Styrelsen 2023-12-01 §2');
  await ok('invoice', 'run', '--period', '2024', '--date', '2024-04-20');
  const { invoices } = await f.json<InvoicesJson>('invoices', '--year', '2024');
  const find = (series: string, name: string) => invoices.find((i) => i.number.startsWith(series) && i.buyerName === name)!;
  await ok('payment', 'record', '--invoice', find('M', 'Stockholms stad').number, '--amount', '30000.00', '--date', '2024-05-10', '--reference', 'BG 1');
  await ok('payment', 'record', '--invoice', find('T', 'Göteborgs Stad').number, '--amount', find('T', 'Göteborgs Stad').total, '--date', '2024-05-12', '--reference', 'BG 2');
  await ok('payment', 'record', '--invoice', find('M', ORG.name).number, '--amount', '12500.50', '--date', '2024-06-01', '--reference', 'BG 3');
  await ok('invoice', 'credit', find('T', 'Stockholms stad').number, '--lines', '1', '--reason', 'Ändrad vikt – första kvartalet’s', '--date', '2024-05-02');
  await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-06-30');
  await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '320000.00', '--supplier', 'Leverantör AB', '--reference', 'F-2', '--date', '2024-12-31');
  return { f, ok };
}

describe('ledger and self-cost through the CLI', () => {
  test('a year with invoices, payments, a credit note, supplier costs and a settlement 10 % over budget', async () => {
    const { f, ok } = await yearOfBilling();

    // Before the settlement.
    const before = await f.json<LedgerJson>('ledger', '--year', '2024');
    expectBooksBalance(before);
    const open = await f.json<{ receivables: { open: string }[] }>('receivables');
    expect(closing(before, '1510')).toBe(total(open.receivables.map((r) => r.open)));
    expect(closing(before, '1510')).toBeGreaterThan(0n);
    const selfBefore = (await f.json<SelfCostJson>('selfcost', '--year', '2024')).services.find((s) => s.serviceId === 'egil')!;
    expect(selfBefore.fullCost).toBe('1386000.00');
    expect(ore(selfBefore.overUnder!)).toBeLessThan(0n);
    expect(selfBefore.carriedForward).toBe(selfBefore.overUnder);
    expect(selfBefore.evenOutBy).toBe(2027);
    expect(selfBefore.settlementRemaining).toBe(new Decimal(selfBefore.overUnder!).neg().toFixed(2));

    await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    const events = JSON.parse((await ok('--json', 'events', '--stream', 'billing-2024')).out) as { type: string; data: { difference: string } }[];
    const settled = events.find((e) => e.type === 'ServiceSettled')!;
    // Before the settlement the over/under-collection is minus the settlement's difference; after it, zero.
    expect(ore(selfBefore.overUnder!)).toBe(-ore(settled.data.difference));
    const selfAfter = (await f.json<SelfCostJson>('selfcost', '--year', '2024')).services.find((s) => s.serviceId === 'egil')!;
    expect(selfAfter).toMatchObject({ overUnder: '0.00', settlementRemaining: '0.00', carriedForward: '0.00', evenOutBy: null, billedTotal: '1386000.00' });

    // 2024's books: the settlement (issued 2025-01-20) is accrued on 31 December, so they are the same
    // as before it, and the service income is what the participants owe at the actual cost.
    const after = await f.json<LedgerJson>('ledger', '--year', '2024');
    expectBooksBalance(after);
    expect(after.trial).toEqual(before.trial);
    expect(line(after.incomeStatement.revenue, 'Nettoomsättning')).toBe(ore('1386000.00'));
    expect(line(after.incomeStatement.expenses, 'Övriga externa kostnader')).toBe(ore('-1320000.00'));
    expect(closing(after, '1790')).toBe(ore(settled.data.difference));
    // The customer ledger at 31 December agrees with the books' 1510 then, though the settlement (issued
    // in 2025) is already billed: it is in 1790 for 2024, and in the receivables only from its issue date.
    const atYearEnd = await f.json<{ open: string }>('receivables', '--at', '2024-12-31');
    expect(closing(after, '1510')).toBe(ore(atYearEnd.open));
    expect(ore((await f.json<{ open: string }>('receivables')).open)).not.toBe(ore(atYearEnd.open));
    expect(closing(after, '2440')).toBe(ore('-1320000.00'));
    // Joining contributions are equity (Malmö 5 000 + the organisation 5 000), never income; the annual fees
    // (Stockholm 80 000, Göteborg 50 000, Malmö 5 000 × 9/12, Region Stockholm and the organisation 25 000 each) are.
    expect(line(after.balanceSheet.equity, 'Inbetalda insatser')).toBe(ore('10000.00'));
    expect(line(after.incomeStatement.revenue, 'Medlemsavgifter')).toBe(ore('80000.00') + ore('50000.00') + ore('3750.00') + ore('25000.00') + ore('25000.00'));

    // 2025: the opening balances are 2024's closing ones; the settlement documents clear the accrual,
    // and receivables equal the open invoices again.
    const y2025 = await f.json<LedgerJson>('ledger', '--year', '2025');
    expectBooksBalance(y2025);
    for (const r of after.trial.filter((x) => x.type === 'T' || x.type === 'S')) {
      expect([r.account, ore(y2025.trial.find((x) => x.account === r.account)?.opening)]).toEqual([r.account, ore(r.closing)]);
    }
    expect(ore(y2025.trial.find((r) => r.account === '2091')?.opening)).toBe(-ore(after.incomeStatement.result));
    expect(closing(y2025, '1790')).toBe(0n);
    const openAfter = await f.json<{ receivables: { open: string }[] }>('receivables');
    expect(closing(y2025, '1510')).toBe(total(openAfter.receivables.map((r) => r.open)));
    expect(y2025.vouchers.filter((v) => v.series === 'F').every((v) => v.date === '2025-01-20')).toBe(true);

    // The text report names the headings in Swedish.
    const text = await ok('ledger', '--year', '2024');
    for (const heading of ['Resultaträkning 2024-01-01 – 2024-12-31', 'Balansräkning 2024-12-31', 'Råbalans 2024', 'Verifikationer 2024', 'Kundfordringar', 'Inbetalda insatser', '1 386 000,00 kr']) {
      expect(text.out).toContain(heading);
    }
    const parts = await f.json<Record<string, unknown>>('ledger', '--year', '2024', '--part', 'trial');
    expect(Object.keys(parts).sort()).toEqual(['trial', 'year']);
    const selfcostText = (await ok('selfcost', '--year', '2024')).out;
    expect(selfcostText).toContain('Kvar att slutreglera med deltagarna');
    // One settlement run, in Swedish: not "1 körning(ar)".
    expect(selfcostText).toContain('Slutreglering: 1 körning, ');
    expect((await f.run('ledger', '--year', '2024', '--part', 'everything')).code).toBe(2);
  });

  test('a payment registered later but dated earlier gets the next number: no voucher already numbered is renumbered', async () => {
    const { f, ok } = await yearOfBilling();
    const payments = async () => (await f.json<LedgerJson>('ledger', '--year', '2024', '--part', 'journal')).vouchers.filter((v) => v.series === 'B').map((v) => [v.number, v.text]);
    const before = await payments();
    expect(before.map(([n]) => n)).toEqual(['1', '2', '3']);
    const { invoices } = await f.json<InvoicesJson>('invoices', '--year', '2024');
    await ok('payment', 'record', '--invoice', invoices.find((i) => i.number.startsWith('M') && i.buyerName === 'Göteborgs Stad')!.number, '--amount', '100.00', '--date', '2024-04-25', '--reference', 'BG 0');
    const after = await payments();
    // Listed by date, the late registration first; numbered by registration, the earlier three keep theirs.
    expect(after.map(([n]) => n)).toEqual(['4', '1', '2', '3']);
    expect(after.slice(1)).toEqual(before);
  });

  test('a-conto billed in December for next year is prepaid income, moved to income on 1 January', async () => {
    const f = await billingFixture();
    const ok = async (...args: string[]) => {
      const r = await f.run(...args);
      if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
    };
    const pop = join(f.dir, 'pop2024.csv');
    writeFileSync(pop, 'code,name,county,population,year\n0180,Stockholm,Stockholms län,905000,2024\n1480,Göteborg,Västra Götalands län,61000,2024\n1280,Malmö,Skåne län,5100,2024\n');
    await ok('population', 'import', pop);
    await ok('schedule', 'adopt', join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json'), '--year', '2025', '--decision', 'Årsmöte 2024 §7', '--decided-on', '2024-11-20');
    await ok('budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=1200000.00', '--decided-on', '2024-11-15', '--minutes', 'FR EGIL 2024-11-15 §4');
    await ok('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    await ok('invoice', 'run', '--period', '2025-Q1', '--date', '2024-12-15');
    const { invoices } = await f.json<InvoicesJson>('invoices', '--year', '2025');
    const net = (prefix: string) => invoices.filter((i) => i.number.startsWith(prefix)).reduce((a, i) => a + ore(i.total), 0n);
    expect(invoices.length).toBeGreaterThan(0);

    const y2024 = await f.json<LedgerJson>('ledger', '--year', '2024');
    expectBooksBalance(y2024);
    // Membership invoices carry no VAT: their total is what is prepaid; a-conto is prepaid net of VAT.
    expect(closing(y2024, '2972')).toBe(-net('M2025'));
    const tNet = invoices.filter((i) => i.number.startsWith('T2025')).reduce((a, i) => a + ore(i.total), 0n) * 4n / 5n;
    expect(closing(y2024, '2990')).toBe(-tNet);
    const y2025 = await f.json<LedgerJson>('ledger', '--year', '2025');
    expectBooksBalance(y2025);
    expect(closing(y2025, '2972')).toBe(0n);
    expect(closing(y2025, '2990')).toBe(0n);
    expect(y2025.vouchers.filter((v) => v.series === 'P').every((v) => v.date === '2025-01-01')).toBe(true);
    expect(line(y2025.incomeStatement.revenue, 'Medlemsavgifter')).toBe(net('M2025'));
    expect(line(y2025.incomeStatement.revenue, 'Nettoomsättning')).toBe(tNet);
  });

  test('a chart file maps a service to its own income account; an unknown mapping target is refused by name', async () => {
    const f = await billingFixture();
    await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const chart = join(f.dir, 'chart.json');
    writeFileSync(chart, JSON.stringify({ serviceIncomeFor: { egil: '3011' }, membershipIncome: '3895', accounts: [{ number: '3895', name: 'Årsavgifter', type: 'I' }] }));
    const l = await f.json<LedgerJson>('ledger', '--year', '2024', '--chart', chart);
    expectBooksBalance(l);
    expect(l.trial.find((r) => r.account === '3011')).toMatchObject({ name: 'Försäljning EGIL, 25 % moms', type: 'I' });
    expect(l.trial.find((r) => r.account === '3001')).toBeUndefined();
    expect(l.trial.find((r) => r.account === '3895')?.name).toBe('Årsavgifter');
    expect(line(l.incomeStatement.revenue, 'Medlemsavgifter')).toBe(-closing(l, '3895'));
    writeFileSync(chart, JSON.stringify({ membershipIncome: '3999' }));
    const bad = await f.run('ledger', '--year', '2024', '--chart', chart);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('konto 3999');
  });

  test('given vouchers on accounts whose names run past 40 characters, when the journal and the statements are printed, then each name is whole and the amounts line up', async () => {
    // given a 2024 cost dated in 2025 (accrued on 2990 Övriga upplupna kostnader och förutbetalda intäkter on
    // 31 December), and a chart naming 1510 with more than the statements' column holds
    const f = await billingFixture();
    const { ok } = f;
    await ok('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--supplier', 'Leverantör AB', '--reference', 'F-9', '--date', '2025-01-10');
    const long = 'Kundfordringar hos medlemmar, kommuner, regioner och kommunalförbund';
    const chart = join(f.dir, 'chart.json');
    writeFileSync(chart, JSON.stringify({ accounts: [{ number: '1510', name: long, type: 'T' }] }));

    // when the journal is printed
    const journal = (await ok('ledger', '--year', '2024', '--part', 'journal', '--chart', chart)).out.split('\n');

    // then 2990 and 1510 are named whole, and every amount ends in the same column
    const accrual = journal.find((l) => l.startsWith('   2990 '));
    expect(accrual).toMatch(/^ {3}2990 Övriga upplupna kostnader och förutbetalda intäkter +1 000,00 kr/);
    expect(journal.some((l) => l.startsWith(`   1510 ${long} `))).toBe(true);
    const transactions = journal.filter((l) => /^ {3}\d{4} /.test(l));
    // (a line holds its debit and its credit column, the empty one as spaces: all lines are as long)
    expect(transactions.length).toBeGreaterThan(2);
    expect(new Set(transactions.map((l) => l.length)).size).toBe(1);

    // and the balance sheet wraps the long name under itself, its amount in the amount column on its first line
    const balance = (await ok('ledger', '--year', '2024', '--part', 'balance', '--chart', chart)).out.split('\n');
    const at = balance.findIndex((l) => l.startsWith('      1510 '));
    expect(`${balance[at].slice(11, 62).trim()} ${balance[at + 1].trim()}`).toBe(long);
    expect(balance[at]).toMatch(/^.{64} *[\d ]+,\d\d kr$/);
    expect(balance[at].length).toBe(84);
  });

  test('given two services with costs, when selfcost is printed, then a total follows them with the figures --json gives as totals', async () => {
    // given EGIL and a second service, both billed for 2024 and with an actual cost, and EGIL settled
    const f = await billingFixture();
    const { ok } = f;
    await establishService(f, { serviceId: 'bibblix', name: 'Bibblix', area: 'Bibliotek', overheadRate: '0.10', cadence: 'yearly', decisionRef: 'S', date: '2023-01-01', pricing: { kind: 'equal' } });
    await ok('budget', 'decide', '--service', 'bibblix', '--year', '2024', '--line', 'Drift=100000.00', '--decided-on', '2023-11-15', '--minutes', 'FR 1');
    await ok('enrolment', 'start', '--service', 'bibblix', '--member', '0180', '--from', '2024-01-01');
    await ok('invoice', 'run', '--period', '2024', '--date', '2024-01-15');
    await ok('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1300000.00', '--supplier', 'Leverantör AB', '--reference', 'F-1', '--date', '2024-12-31');
    await ok('cost', 'record', '--service', 'bibblix', '--year', '2024', '--amount', '90000.00', '--supplier', 'Bibliotekstjänst AB', '--reference', 'B-1', '--date', '2024-12-31');
    await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');

    // when
    const json = await f.json<{ services: { fullCost: string }[]; totals: Record<string, string> }>('selfcost', '--year', '2024');
    const text = (await ok('selfcost', '--year', '2024')).out;

    // then the text ends with the totals of both services, each the sum --json gives
    expect(json.services).toHaveLength(2);
    expect(json.totals.fullCost).toBe('1464000.00'); // 1 300 000 × 1,05 + 90 000 × 1,10
    const kr = (amount: string) => new Decimal(amount).toFixed(2).replace('-', '−').replace('.', ',').replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    const totals = text.slice(text.indexOf('\nSumma för 2 tjänster\n'));
    for (const [label, key] of [['Budget inkl. påslag', 'budgetWithOverhead'], ['Utfall (leverantörskostnader)', 'actualCost'], ['Påslag förvaltning', 'overhead'], ['Full kostnad', 'fullCost'],
      ['Fakturerat a conto (netto)', 'billedAconto'], ['Slutreglerat (netto)', 'settled'], ['Fakturerat totalt', 'billedTotal'], ['Balanseras (över- och underuttag som förs vidare)', 'carriedForward']]) {
      expect(totals).toMatch(new RegExp(`\n  ${label.replace(/[()]/g, '\\$&')} +${kr(json.totals[key])} kr(\n|$)`));
    }
  });

  test.each([
    [{ series: 'F', number: 'T2024-0012' }, { series: 'T', number: '12' }],
    [{ series: 'K', number: 'TK2024-0003' }, { series: 'TK', number: '3' }],
    // A 2023 settlement invoice dated in 2024 keeps apart from 2024's own T 150.
    [{ series: 'F', number: 'T2023-0150' }, { series: 'T2023', number: '150' }],
    [{ series: 'B', number: '7' }, { series: 'B', number: '7' }],
  ])('in the SIE file of 2024, voucher %j is numbered %j', (voucher, sie) => {
    expect(sieVoucherId(voucher, 2024)).toEqual(sie);
  });

  test('SIE 4E and 4I: codepage 437, Å/Ä/Ö survive, every #VER balances, balances match the ledger', async () => {
    const { f, ok } = await yearOfBilling();
    await ok('settle', '--service', 'egil', '--year', '2024', '--date', '2024-12-31');
    const trial = (await f.json<LedgerJson>('ledger', '--year', '2024', '--part', 'trial')).trial;
    const journalJson = (await f.json<LedgerJson>('ledger', '--year', '2024', '--part', 'journal')).vouchers;
    for (const type of ['4E', '4I']) {
      const file = join(f.dir, `samkost-2024.${type === '4E' ? 'se' : 'si'}`);
      expect((await ok('export', 'sie', '--year', '2024', '--type', type, '--out', file)).out).toMatch(new RegExp(`^SIE ${type} 2024 skriven till .*: ${journalJson.length} verifikationer, \\d+ konton \\(`));
      const bytes = readFileSync(file);
      // CP437: Ö is 0x99, ä 0x84, Å 0x8F, ö 0x94; the round trip through CP437 is lossless, UTF-8 is not used.
      expect(iconv.encode(iconv.decode(bytes, 'cp437'), 'cp437').equals(bytes)).toBe(true);
      for (const b of [0x99, 0x84, 0x8f, 0x94]) expect(bytes.includes(b)).toBe(true);
      expect(bytes.includes(Buffer.from('Ö', 'utf8'))).toBe(false);
      const text = iconv.decode(bytes, 'cp437');
      expect(text).toContain('#FORMAT PC8\r\n');
      expect(text).toContain('#RAR 0 20240101 20241231');
      expect(text).toContain('#GEN 20250301');

      const doc = readSie(bytes);
      expect(doc.type).toBe(type);
      expect(doc.company).toEqual({ name: DEFAULT_CONFIG.seller.name, orgnr: DEFAULT_CONFIG.seller.orgnr });
      expect(doc.vouchers.some((v) => v.text.includes(ORG.name))).toBe(true);
      // A typed dash and apostrophe, which CP437 lacks, become their ASCII look-alikes in the file.
      expect(doc.vouchers.some((v) => v.text.includes("Ändrad vikt - första kvartalet's"))).toBe(true);
      // A document's voucher is numbered in its document's series by its sequence (M 1, TK 1); the text names the document.
      expect(doc.vouchers.map((v) => `${v.series} ${v.number}`)).toEqual(journalJson.map((v) => {
        const m = /^([A-Z]+)2024-0*(\d+)$/.exec(v.number);
        return m ? `${m[1]} ${m[2]}` : `${v.series} ${v.number}`;
      }));
      expect(doc.vouchers.every((v) => /^\d+$/.test(v.number))).toBe(true);
      expect(new Set(doc.vouchers.map((v) => `${v.series} ${v.number}`)).size).toBe(doc.vouchers.length);
      for (const v of doc.vouchers) expect(v.transactions.reduce((a, t) => a.plus(t.amount), new Decimal(0)).isZero()).toBe(true);

      // The vouchers re-read give the ledger's movement per account.
      const movement = new Map<string, bigint>();
      for (const v of doc.vouchers) for (const t of v.transactions) movement.set(t.account, (movement.get(t.account) ?? 0n) + ore(t.amount.toFixed(2)));
      for (const r of trial) expect([r.account, movement.get(r.account) ?? 0n]).toEqual([r.account, ore(r.balance)]);
      expect([...movement.keys()].every((a) => trial.some((r) => r.account === a))).toBe(true);

      if (type === '4E') {
        const ub = new Map(doc.closingBalances!.map((b) => [b.account, ore(b.amount.toFixed(2))]));
        const res = new Map(doc.results!.map((b) => [b.account, ore(b.amount.toFixed(2))]));
        for (const r of trial) {
          if (r.type === 'T' || r.type === 'S') expect([r.account, ub.get(r.account) ?? 0n]).toEqual([r.account, ore(r.closing)]);
          else expect([r.account, res.get(r.account) ?? 0n]).toEqual([r.account, ore(r.balance)]);
        }
        expect([...ub.values(), ...res.values()].reduce((a, x) => a + x, 0n)).toBe(0n);
        expect(doc.accounts.find((a) => a.number === '2083')).toEqual({ number: '2083', name: 'Inbetalda insatser', type: 'S' });
      } else {
        expect(doc.closingBalances).toBeUndefined();
      }
    }
    const bad = await f.run('export', 'sie', '--year', '2024', '--type', '5', '--out', join(f.dir, 'x.se'));
    expect(bad.code).toBe(2);
  });
});

// ------------------------------------------------------------------------------------------ property

const SCHEDULE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scripts', 'data', 'schedules', 'sambruk-2020.json'), 'utf8')) as Record<string, unknown>;
const MUNICIPALITIES = [
  { orgnr: '212000-0142', code: '0180', name: 'Stockholms stad' },
  { orgnr: '212000-1355', code: '1480', name: 'Göteborgs Stad' },
  { orgnr: '212000-1124', code: '1280', name: 'Malmö stad' },
];
const SELLER = DEFAULT_CONFIG.seller;

type Op =
  | { op: 'run'; year: 2024 | 2025; period: string; day: number }
  | { op: 'pay'; pick: number; percent: number; days: number }
  | { op: 'credit'; pick: number; all: boolean; day: number }
  | { op: 'cost'; amount: number; day: number; late: boolean }
  | { op: 'settle'; late: boolean };

const dayOf = (year: number, day: number): string => {
  const d = new Date(Date.UTC(year, 0, 1 + day));
  return d.toISOString().slice(0, 10);
};

const addDays = (iso: string, days: number): string => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('run' as const), year: fc.constantFrom(2024 as const, 2025 as const),
    period: fc.constantFrom('', '-Q1', '-Q2', '-Q3', '-Q4', '-01', '-04', '-07', '-10'), day: fc.integer({ min: 0, max: 364 }),
  }),
  fc.record({ op: fc.constant('pay' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }), days: fc.integer({ min: 0, max: 200 }) }),
  fc.record({ op: fc.constant('credit' as const), pick: fc.nat(), all: fc.boolean(), day: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ op: fc.constant('cost' as const), amount: fc.integer({ min: 0, max: 300_000_000 }), day: fc.integer({ min: 0, max: 364 }), late: fc.boolean() }),
  fc.record({ op: fc.constant('settle' as const), late: fc.boolean() }),
);

const historyArb = fc.record({
  populations: fc.array(fc.integer({ min: 500, max: 1_000_000 }), { minLength: 3, maxLength: 3 }),
  members: fc.subarray([0, 1, 2], { minLength: 1 }),
  joins: fc.array(fc.constantFrom('2015-01-01', '2024-03-10', '2024-07-01'), { minLength: 3, maxLength: 3 }),
  organisation: fc.boolean(),
  levy: fc.boolean(),
  pricing: fc.constantFrom('equal', 'tier-weighted', 'per-capita'),
  overhead: fc.constantFrom('0', '0.05', '0.125'),
  cadence: fc.constantFrom('yearly', 'quarterly', 'monthly'),
  budget: fc.integer({ min: 100, max: 500_000_000 }),
  budget2025: fc.option(fc.integer({ min: 100, max: 500_000_000 }), { nil: undefined }),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});

const kronor = (oreAmount: number) => new Decimal(oreAmount).div(100).toFixed(2);

/** Folds a random history through the real deciders; refused commands (DomainError) are simply skipped. */
type History = typeof historyArb extends fc.Arbitrary<infer T> ? T : never;

function buildState(h: History): State {
  const state = initialState();
  const apply = (command: Record<string, unknown>) => {
    try {
      // After every date the history holds (up to 2025-12-31): a document, a cost or a table dated after
      // today is refused, and a refusal here is skipped in silence, so an earlier today would leave most out.
      const d = decide(parseCommand(command) as Command, state, { today: '2026-01-31' });
      for (const e of d.events) evolve(state, e, fakeRef(e.type, d.streamId));
    } catch (err) {
      if (!(err instanceof DomainError) && !(err instanceof CommandValidationError)) throw err;
    }
  };
  const rows = MUNICIPALITIES.map((m, i) => ({ code: m.code, name: m.name, population: h.populations[i] }));
  apply({ type: 'population.import', source: 'test', tables: [2023, 2024].map((year) => ({ year, referenceDate: `${year}-12-31`, rows })) });
  for (const year of [2024, 2025]) apply({ ...SCHEDULE, type: 'schedule.adopt', year, decisionRef: 'Årsmöte', decidedOn: '2023-11-20' });
  if (h.levy) apply({ type: 'levy.decide', year: 2024, levyId: 'it', purpose: 'IT-satsning', decisionRef: 'Årsmöte', decidedOn: '2023-11-20', tiers: [{ id: 'all', label: 'Alla', amount: '7500.00' }, { id: 'org', label: 'Organisationer', organisation: true, amount: '2500.00' }] });
  for (const i of h.members) {
    const m = MUNICIPALITIES[i];
    apply({ type: 'member.join', orgnr: m.orgnr, kind: 'municipality', name: m.name, kommunkod: m.code, date: h.joins[i], decisionRef: 'S' });
  }
  if (h.organisation) apply({ type: 'member.join', orgnr: '802400-1235', kind: 'organisation', name: 'Åländska Ärendeförbundet', date: '2024-02-01', decisionRef: 'S' });
  const pricing = h.pricing === 'tier-weighted'
    ? { kind: 'tier-weighted', bands: [{ id: 's', label: 's', max: 49999, weight: '1' }, { id: 'l', label: 'l', min: 50000, weight: '3' }, { id: 'o', label: 'o', organisation: true, weight: '1' }] }
    : { kind: h.pricing };
  apply({ type: 'service.establish', serviceId: 'egil', name: 'EGIL', area: 'Skola', pricing, overheadRate: h.overhead, cadence: h.cadence, decisionRef: 'S', date: '2023-01-01' });
  apply({ type: 'budget.decide', serviceId: 'egil', year: 2024, lines: [{ text: 'Drift', amount: kronor(h.budget) }], decidedOn: '2023-11-15', minutesRef: 'FR' });
  if (h.budget2025 !== undefined) apply({ type: 'budget.decide', serviceId: 'egil', year: 2025, lines: [{ text: 'Drift', amount: kronor(h.budget2025) }], decidedOn: '2024-11-15', minutesRef: 'FR' });
  for (const i of h.members) {
    const from = h.joins[i] > '2024-01-01' ? h.joins[i] : '2024-01-01';
    apply({ type: 'enrolment.start', serviceId: 'egil', member: MUNICIPALITIES[i].code, from });
  }

  const invoices = () => [...state.billing.values()].flatMap((b) => [...b.invoices.values()]);
  for (const op of h.ops) {
    switch (op.op) {
      case 'run': {
        // A run for next year's period issued in December bills in advance.
        const issue = op.year === 2025 && op.day > 300 ? dayOf(2024, op.day) : dayOf(op.year, op.day);
        apply({ type: 'invoice.run', period: `${op.year}${op.period}`, issueDate: issue, paymentTermsDays: 30, vatRate: '0.25', seller: SELLER });
        break;
      }
      case 'pay': {
        const open = invoices().filter((i) => openBalance(i).gt(0));
        if (!open.length) break;
        const inv = open[op.pick % open.length];
        const amount = Decimal.max(openBalance(inv).mul(op.percent).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN), new Decimal('0.01'));
        const date = addDays(inv.invoice.issueDate, op.days);
        apply({ type: 'payment.record', invoice: inv.invoice.number, amount: amount.toFixed(2), date: date > '2025-12-31' ? '2025-12-31' : date, reference: 'BG' });
        break;
      }
      case 'credit': {
        const all = invoices();
        if (!all.length) break;
        const inv = all[op.pick % all.length];
        apply({ type: 'invoice.credit', invoice: inv.invoice.number, lines: op.all ? undefined : [1], reason: 'Rättelse', issueDate: dayOf(2024, op.day) });
        break;
      }
      case 'cost':
        apply({ type: 'cost.record', serviceId: 'egil', year: 2024, amount: kronor(op.amount), supplier: 'Leverantör AB', reference: 'F', date: dayOf(op.late ? 2025 : 2024, op.late ? op.day % 60 : op.day) });
        break;
      case 'settle':
        apply({ type: 'settlement.run', serviceId: 'egil', year: 2024, issueDate: op.late ? '2025-01-20' : '2024-12-31', paymentTermsDays: 30, vatRate: '0.25', seller: SELLER });
        break;
    }
  }
  return state;
}

describe('ledger properties', () => {
  test('random histories: every voucher balances, the trial balance sums to zero, assets = equity + liabilities, 1510 = what is open', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const state = buildState(h);
        const chart = chartFor(state);
        for (const year of [2024, 2025]) {
          const vouchers = journal(state, year, chart);
          for (const v of vouchers) expect(v.transactions.reduce((a, t) => a.plus(t.amount), new Decimal(0)).toFixed(2)).toBe('0.00');
          const opening = openingBalances(state, year, chart);
          const trial = trialBalance(vouchers, chart, opening);
          expect(trial.reduce((a, r) => a.plus(r.balance), new Decimal(0)).toFixed(2)).toBe('0.00');
          expect(trial.reduce((a, r) => a.plus(r.closing), new Decimal(0)).toFixed(2)).toBe('0.00');
          const sheet = balanceSheet(trial, chart);
          expect(sheet.totalAssets.toFixed(2)).toBe(sheet.totalEquityAndLiabilities.toFixed(2));
        }
        // After the last year with activity, receivables in the books are exactly the open invoices.
        const books = ledger(state, 2025, chart);
        const open = [...state.billing.values()].flatMap((b) => [...b.invoices.values()]).reduce((a, i) => a.plus(openBalance(i)), new Decimal(0));
        expect((books.trial.find((r) => r.account === '1510')?.closing ?? new Decimal(0)).toFixed(2)).toBe(open.toFixed(2));
        // The self-cost report and the settlement agree: what is left to settle is minus the over/under-collection (no month unallocated here).
        for (const row of selfCost(state, 2024).services) {
          if (row.overUnder && row.unallocated.isZero()) expect(row.settlementRemaining!.neg().toFixed(2)).toBe(row.overUnder.toFixed(2));
          // With an actual cost recorded, the year's service income is what the participants owe at that cost,
          // however the documents are dated (in advance, in the year, or a settlement in January).
          if (row.settlementRemaining) {
            const income = ledger(state, 2024, chart).trial.find((r) => r.account === '3001')?.balance.neg() ?? new Decimal(0);
            expect(income.toFixed(2)).toBe(row.billedTotal.plus(row.settlementRemaining).toFixed(2));
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('a year the books do not cover', () => {
  test('given books of 2024, when the ledger of 2030 or 2022 is asked for, then it is refused as export sie refuses it, naming the years the books cover; the opening part still says where they begin', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    for (const [year, part] of [['2030', 'trial'], ['2022', 'balance'], ['2030', 'all']]) {
      expect(await f.run('ledger', '--year', year, '--part', part)).toEqual({ code: 2, out: '', err: `samkost: bokföringen har inget för ${year}: den omfattar 2024–2025\n` });
    }
    expect((await f.run('ledger', '--year', '2022', '--part', 'opening')).code).toBe(0);
  });
});
