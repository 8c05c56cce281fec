import { type Command, Option } from 'commander';
import { newTable } from './table';
import Decimal from 'decimal.js';
import { z } from 'zod';
import { firstIssue, swedishIssue } from '../../domain/issue-words';
import { formatPercent, formatSek, sum } from '../../domain/money';
import { counted } from '../../domain/swedish-list';
import { requireService } from '../../domain/deciders/services';
import type { State } from '../../domain/state';
import { type Chart, DEFAULT_CHART, isBalanceAccount, ledger, openingBalancesEvent, type Ledger, type StatementLine, voucherRecord, yearOutsideBooks, yearResult, type YearResult } from '../../projections/ledger';
import { selfCost, type SelfCostReport } from '../../projections/selfcost';
import { loadConfig, warnOfPlaceholderSeller } from '../config';
import { encodeSie, type SieDocument, writeSie } from '../export/sie';
import { BOOKS_SCOPE, type GlobalOptions, todayOf, withEngine } from './context';
import { readJsonFile, readOpeningBalancesFile } from './input-files';
import { executeAndReport } from './execute';
import { COMMAND_ID, requiredInHelp } from './help-words';
import { eventLink } from '../../domain/event-ref';
import { type CliIo, toJson, UsageError } from './io';
import { moneyToJson } from './money-json';
import { writeOutputFile } from './output-files';
import { parseYear } from './options';
import { pricingWords } from './pricing-words';
import { parseDocumentNumber } from '../../domain/billing/numbers';
import { wrapWords } from '../../projections/invoices';

const PROGRAM = { name: 'samkost', version: '0.1.0' };
const PARTS = ['all', 'income', 'balance', 'trial', 'journal', 'opening'] as const;
type Part = (typeof PARTS)[number];
/** The parts in the help, in the words of the report. */
const PART_WORDS: Record<Part, string> = {
  all: 'allt', income: 'resultaträkning', balance: 'balansräkning', trial: 'råbalans', journal: 'verifikationer', opening: 'ingående balanser och vad de vilar på',
};

const Account = z.string().regex(/^\d{4,6}$/, 'ett kontonummer har 4–6 siffror');
/** A chart file: any of the Chart fields; accounts listed are added to (or rename) the default ones. */
const ChartFile = z.object({
  accounts: z.array(z.object({ number: Account, name: z.string().min(1), type: z.enum(['T', 'S', 'K', 'I']) })).optional(),
  bank: Account.optional(), receivables: Account.optional(), accruedIncome: Account.optional(), supplierDebt: Account.optional(),
  outputVat25: Account.optional(), inputVat: Account.optional(), prepaidFees: Account.optional(), overCollection: Account.optional(),
  equityContributions: Account.optional(), serviceIncome: Account.optional(), serviceIncomeFor: z.record(z.string(), Account).optional(),
  membershipIncome: Account.optional(), levyIncome: Account.optional(), itCosts: Account.optional(), retainedEarnings: Account.optional(),
  accruedCosts: Account.optional(),
}).strict();

/** The chart of accounts: the BAS defaults, with a JSON file's mapping and accounts on top. */
export function loadChart(path?: string): Chart {
  if (!path) return DEFAULT_CHART;
  const parsed = ChartFile.safeParse(readJsonFile(path), { error: swedishIssue });
  if (!parsed.success) throw new UsageError(`${path}: ${firstIssue(parsed.error)}`);
  const { accounts = [], ...mapping } = parsed.data;
  const byNumber = new Map(DEFAULT_CHART.accounts.map((a) => [a.number, a]));
  for (const a of accounts) byNumber.set(a.number, a);
  return { ...DEFAULT_CHART, ...mapping, accounts: [...byNumber.values()] };
}

const parsePart = (v: string): Part => {
  const p = PARTS.find((x) => x === v);
  if (!p) throw new UsageError(`--part ska vara något av ${PARTS.join(', ')}, inte "${v}"`);
  return p;
};

const parseType = (v: string): '4E' | '4I' => {
  const t = v.toUpperCase();
  if (t !== '4E' && t !== '4I') throw new UsageError(`--type ska vara 4E eller 4I, inte "${v}"`);
  return t;
};

const parseHorizon = (v: string): number => {
  if (!/^\d{1,2}$/.test(v) || Number(v) < 1 || Number(v) > 10) throw new UsageError(`--horizon ska vara ett antal år från 1 till 10, inte "${v}"`);
  return Number(v);
};

const kr = (d: Decimal) => formatSek(d);
const WIDTH = 64;
const row = (label: string, amount: Decimal, indent = 2) => `${' '.repeat(indent)}${label.padEnd(WIDTH - indent)}${kr(amount).padStart(20)}`;

function renderStatementLines(lines: StatementLine[], out: string[]): void {
  for (const l of lines) {
    out.push(row(l.label, l.amount));
    for (const a of l.accounts) {
      // A name too long for the column (a chart file's, a service's own account) wraps under itself, whole,
      // where it used to be cut: the amount stays in its column, on the account's first line.
      const indent = `      ${a.account} `;
      const [first, ...rest] = wrapWords(a.name, WIDTH - 2 - indent.length);
      out.push(`${indent}${first}`.padEnd(WIDTH) + kr(a.amount).padStart(20), ...rest.map((r) => `${' '.repeat(indent.length)}${r}`));
    }
  }
}

function renderIncome(l: YearResult): string {
  const out = [`Resultaträkning ${l.year}-01-01 – ${l.year}-12-31`, '', 'Rörelsens intäkter'];
  renderStatementLines(l.income.revenue, out);
  out.push('Rörelsens kostnader');
  renderStatementLines(l.income.expenses, out);
  out.push(row('Rörelseresultat', l.income.operatingResult, 0));
  if (l.income.financial.length) renderStatementLines(l.income.financial, out);
  out.push(row('Årets resultat', l.income.result, 0));
  return `${out.join('\n')}\n`;
}

function renderBalance(l: Ledger): string {
  const b = l.balance;
  const out = [`Balansräkning ${l.year}-12-31`, '', 'Tillgångar'];
  renderStatementLines(b.assets, out);
  out.push(row('Summa tillgångar', b.totalAssets, 0), '', 'Eget kapital och skulder', ' Eget kapital');
  renderStatementLines(b.equity, out);
  out.push(row('Summa eget kapital', b.totalEquity, 1), ' Skulder');
  renderStatementLines(b.liabilities, out);
  out.push(row('Summa skulder', b.totalLiabilities, 1), row('Summa eget kapital och skulder', b.totalEquityAndLiabilities, 0));
  return `${out.join('\n')}\n`;
}

function renderTrial(l: Ledger): string {
  const t = newTable(['Konto', 'Benämning', 'IB', 'Debet', 'Kredit', 'UB']);
  for (const r of l.trial) t.push([r.account, r.name, kr(r.opening), kr(r.debit), kr(r.credit), kr(r.closing)]);
  const total = (f: (r: Ledger['trial'][number]) => Decimal) => kr(sum(l.trial.map(f)));
  t.push(['', 'Summa', total((r) => r.opening), total((r) => r.debit), total((r) => r.credit), total((r) => r.closing)]);
  return `Råbalans ${l.year}\n${t.toString()}\n`;
}

function renderJournal(l: YearResult): string {
  const names = new Map(l.chart.accounts.map((a) => [a.number, a.name]));
  const name = (nr: string) => names.get(nr) ?? '';
  // Each account's whole name (2990 Övriga upplupna kostnader och förutbetalda intäkter used to be cut at 40
  // characters), the debit and credit columns after the longest name the journal uses, so they line up.
  const used = new Set(l.vouchers.flatMap((v) => v.transactions.map((t) => t.account)));
  const width = Math.max(40, ...[...used].map((nr) => name(nr).length));
  const out = [`Verifikationer ${l.year}: ${l.vouchers.length}`];
  for (const v of l.vouchers) {
    out.push('', `${v.series} ${v.number}  ${v.date}  ${v.text}`);
    for (const t of v.transactions) {
      const debit = t.amount.gt(0) ? kr(t.amount) : '';
      const credit = t.amount.lt(0) ? kr(t.amount.neg()) : '';
      out.push(`   ${t.account} ${name(t.account).padEnd(width)} ${debit.padStart(18)} ${credit.padStart(18)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * The year's opening balances (IB) per account, and what they rest on: the recorded opening balances
 * (`ledger opening`) when the year is theirs or later, and the vouchers of the years between.
 */
function openingPart(state: State, l: Ledger) {
  const name = (nr: string) => l.chart.accounts.find((a) => a.number === nr)?.name ?? '';
  const rows = [...l.opening.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([account, amount]) => ({ account, name: name(account), amount }));
  const on = openingBalancesEvent(state, l.year);
  const recorded = on && state.openingBalances
    ? { ...state.openingBalances.value, event: eventLink(on.ref) }
    : null;
  // The sets the recorded one replaced, with why, so that IB can be followed through its corrections.
  const replaced = recorded
    ? (state.replacedOpeningBalances ?? []).map((r) => ({ ...r.value, event: eventLink(r.ref), reason: r.reason, replacedBy: eventLink(r.replacedBy) }))
    : [];
  // The year the recorded opening balances are for, when they are recorded: a year before it has none.
  const booksBegin = state.openingBalances?.value.year ?? null;
  return { year: l.year, opening: rows, recorded, replaced, booksBegin };
}

function renderOpening(p: ReturnType<typeof openingPart>): string {
  const t = newTable(['Konto', 'Benämning', 'IB']);
  for (const r of p.opening) t.push([r.account, r.name, kr(r.amount)]);
  t.push(['', 'Summa', kr(sum(p.opening.map((r) => r.amount)))]);
  const out = [`Ingående balanser ${p.year}`, t.toString()];
  const r = p.recorded;
  if (r) {
    const carried = r.year < p.year ? `, och verifikationerna ${r.year}${p.year - 1 > r.year ? `–${p.year - 1}` : ''} med årens resultat förda till balanserat resultat` : '';
    out.push(`Grund: ingående balanser ${r.year} ${p.replaced.length > 0 ? 'rättade' : 'registrerade'} ${r.recordedOn} (${r.reference}), händelse ${r.event.streamId}@${r.event.revision}${carried}.`);
    for (const x of p.replaced) {
      out.push(`Ersatte: ingående balanser ${x.year} ${x.event.type === 'OpeningBalancesCorrected' ? 'rättade' : 'registrerade'} ${x.recordedOn} (${x.reference}), händelse ${x.event.streamId}@${x.event.revision}, rättade i ${x.replacedBy.streamId}@${x.replacedBy.revision}: ${x.reason}.`);
    }
  } else if (p.booksBegin !== null) {
    out.push(`Böckerna börjar med de registrerade ingående balanserna för ${p.booksBegin}; ${p.year} ligger före dem.`);
  } else {
    out.push('Inga registrerade ingående balanser ligger till grund för året: IB är tidigare års verifikationer (registrera böckernas första ingående balanser med samkost ledger opening).');
  }
  return `${out.join('\n')}\n`;
}

/** `l` is the whole ledger for every part but income and journal, which need only the year's result. */
function ledgerJson(l: YearResult & Partial<Ledger>, part: Part): unknown {
  const want = (p: Part) => part === 'all' || part === p;
  return moneyToJson({
    year: l.year,
    ...(want('income') && { incomeStatement: l.income }),
    ...(want('balance') && { balanceSheet: l.balance }),
    ...(want('trial') && { trial: l.trial }),
    ...(want('journal') && { vouchers: l.vouchers.map(voucherRecord) }),
  });
}


/**
 * A voucher's series and number as SIE gives them: accounting programs read a voucher number as a whole
 * number within its series. A document's voucher (F, K: "T2024-0012") goes in the series of its document
 * (T, M, TK, MK) with its sequence (12), the series naming the billing year when it is not the file's
 * (a 2023 settlement invoice dated in 2024: "T2023" 150), so that no two vouchers share a number; the
 * document number stays in the text. Running series (B, L, P) are numbered already.
 */
export function sieVoucherId(v: { series: string; number: string }, year: number): { series: string; number: string } {
  const doc = parseDocumentNumber(v.number);
  if (!doc) return { series: v.series, number: v.number };
  return { series: doc.year === year ? doc.series : `${doc.series}${doc.year}`, number: String(Number(doc.sequence)) };
}

/** The year's books as a SIE 4 document: 4I the vouchers only, 4E with opening and closing balances and results. */
export function sieDocumentFor(
  state: State, year: number, type: '4E' | '4I', opts: { company: { name: string; orgnr: string }; generated: string; chart?: Chart },
): SieDocument {
  // 4I carries the vouchers only: no earlier year's journal is needed for it.
  const full = type === '4E' ? ledger(state, year, opts.chart ?? DEFAULT_CHART) : undefined;
  const l: YearResult = full ?? yearResult(state, year, opts.chart ?? DEFAULT_CHART);
  const balances = full
    ? {
      openingBalances: full.trial.filter((r) => isBalanceAccount(l.chart, r.account) && !r.opening.isZero()).map((r) => ({ account: r.account, amount: r.opening })),
      closingBalances: full.trial.filter((r) => isBalanceAccount(l.chart, r.account) && !r.closing.isZero()).map((r) => ({ account: r.account, amount: r.closing })),
      results: full.trial.filter((r) => !isBalanceAccount(l.chart, r.account) && !r.balance.isZero()).map((r) => ({ account: r.account, amount: r.balance })),
    }
    : {};
  return {
    type, program: PROGRAM, generated: opts.generated, company: { name: opts.company.name, orgnr: opts.company.orgnr },
    fiscalYear: { start: `${year}-01-01`, end: `${year}-12-31` }, chartType: 'BAS2014',
    accounts: l.chart.accounts.map((a) => ({ number: a.number, name: a.name, type: a.type })),
    ...balances,
    vouchers: l.vouchers.map((v) => ({ ...sieVoucherId(v, year), date: v.date, text: v.text, transactions: v.transactions.map((t) => ({ account: t.account, amount: t.amount })) })),
  };
}

function renderSelfCost(state: State, report: SelfCostReport, horizon: number): string {
  const { services: rows, year, totals } = report;
  const out = [`Självkostnad ${year} (över- och underuttag jämnas ut inom ${horizon} år)`];
  if (rows.length === 0) out.push('', 'Inga tjänster med budget, utfall eller fakturering detta år.');
  for (const r of rows) {
    const pct = formatPercent(r.overheadRate);
    out.push('', `${r.name} (${r.serviceId}): ${pricingWords(requireService(state, r.serviceId).service.pricing)}`);
    if (r.budget) out.push(row('Budget i kraft', r.budget), row(`Budget inkl. påslag ${pct}`, r.budgetWithOverhead as Decimal));
    else out.push('  Ingen budget beslutad');
    out.push(
      row(r.actualRecorded ? 'Utfall (leverantörskostnader)' : 'Utfall: inget bokfört ännu', r.actualCost),
      row(`Påslag förvaltning ${pct}`, r.overhead),
      row('Full kostnad', r.fullCost),
      row('Fakturerat a conto (netto)', r.billedAconto),
      row('Slutreglerat (netto)', r.settled),
      row('Fakturerat totalt', r.billedTotal),
    );
    if (r.overUnder) out.push(row(r.overUnder.gt(0) ? 'Överuttag' : r.overUnder.lt(0) ? 'Underuttag' : 'Över-/underuttag', r.overUnder));
    if (!r.unallocated.isZero()) out.push(row('varav ej fördelat (månader utan deltagare)', r.unallocated.neg()));
    if (r.settlementRemaining) out.push(row('Kvar att slutreglera med deltagarna', r.settlementRemaining));
    // Member by member: a net 0,00 can hide one member to bill and another to credit, which keep the year open.
    if (r.settlementToBill && r.settlementToCredit && !(r.settlementToBill.isZero() && r.settlementToCredit.isZero())) {
      out.push(row('  varav att fakturera', r.settlementToBill), row('  varav att kreditera', r.settlementToCredit.neg()));
    }
    if (r.waitingFor) out.push(`  Kvar att slutreglera med deltagarna: kan inte räknas ut än (${r.waitingFor})`);
    out.push(`  Slutreglering: ${r.settlements.length ? `${counted(r.settlements.length, 'körning', 'körningar')}${r.settlementDocuments.length ? `, ${r.settlementDocuments.join(', ')}` : ', inga dokument'}` : 'ej gjord'}`);
    if (r.evenOutBy !== null) out.push(row(`Balanseras, jämnas ut senast ${r.evenOutBy}`, r.carriedForward));
  }
  // The year's totals, as --json gives them (totals): each a sum of the rows above, a row without a budget counting none.
  if (rows.length > 0) {
    out.push(
      '', `Summa för ${counted(rows.length, 'tjänst', 'tjänster')}`,
      row('Budget inkl. påslag', totals.budgetWithOverhead),
      row('Utfall (leverantörskostnader)', totals.actualCost),
      row('Påslag förvaltning', totals.overhead),
      row('Full kostnad', totals.fullCost),
      row('Fakturerat a conto (netto)', totals.billedAconto),
      row('Slutreglerat (netto)', totals.settled),
      row('Fakturerat totalt', totals.billedTotal),
      row('Balanseras (över- och underuttag som förs vidare)', totals.carriedForward),
    );
  }
  return `${out.join('\n')}\n`;
}

export function registerLedgerCommands(program: Command, io: CliIo): void {
  const g = () => program.opts<GlobalOptions>();

  const ledgerCommand = program
    .command('ledger')
    .description('årets bokföring härledd ur händelserna: resultaträkning, balansräkning, råbalans och verifikationer')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--part <part>', `vad som visas: ${PARTS.map((p) => `${p} (${PART_WORDS[p]})`).join(', ')}`, parsePart, 'all' as Part)
    .option('--chart <file>', 'kontoplan att bokföra mot (JSON; annars BAS-kontona)')
    .action(async (o: { year: number; part: Part; chart?: string }) => {
      const chart = loadChart(o.chart);
      await withEngine(g(), io, async (engine) => {
        // A year the books do not cover is refused, as `export sie` refuses it: a mistyped 2052 answered a
        // balance sheet carried forward, which looked like a year's books.
        // (The opening part says where the books begin, for any year.)
        const outside = o.part === 'opening' ? undefined : yearOutsideBooks(engine.state, o.year, Number(todayOf(io).slice(0, 4)));
        if (outside) throw new UsageError(outside);
        // The income statement and the journal need no earlier year; the balance sheet and trial balance do.
        if (o.part === 'income' || o.part === 'journal') {
          const r = yearResult(engine.state, o.year, chart);
          if (g().json) return io.out(`${toJson(ledgerJson(r, o.part))}\n`);
          return io.out(o.part === 'income' ? renderIncome(r) : renderJournal(r));
        }
        const l = ledger(engine.state, o.year, chart);
        if (o.part === 'opening') {
          const p = openingPart(engine.state, l);
          return io.out(g().json ? `${toJson(moneyToJson(p))}\n` : renderOpening(p));
        }
        if (g().json) return io.out(`${toJson(ledgerJson(l, o.part))}\n`);
        const parts: string[] = [];
        if (o.part === 'all') parts.push(renderIncome(l));
        if (o.part === 'all' || o.part === 'balance') parts.push(renderBalance(l));
        if (o.part === 'all' || o.part === 'trial') parts.push(renderTrial(l));
        if (o.part === 'all') parts.push(renderJournal(l));
        io.out(parts.join('\n'));
      }, BOOKS_SCOPE);
    });

  ledgerCommand
    .command('opening')
    .description('registrera böckernas ingående balanser för deras första år (en gång): UB från det tidigare bokföringsprogrammet')
    // Commander gives `--year` after `ledger opening` to ledger's own --year (the program hands ledger every
    // argument after its name), so the action takes it from there when its own is not set.
    .addOption(requiredInHelp(new Option('--year <year>', 'det första år balanserna är ingående balanser för').argParser(parseYear)))
    .requiredOption('--file <file>', 'CSV med rubrikraden konto;belopp (debet positivt, kredit negativt; 125000.00 eller 125 000,00), eller JSON')
    .requiredOption('--reference <text>', 'varifrån siffrorna kommer, t.ex. "UB 2022 enligt Visma, bokslut fastställt 2023-03-15"')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { year?: number; file: string; reference: string; commandId?: string }) => {
      const year = o.year ?? ledgerCommand.opts<{ year?: number }>().year;
      if (year === undefined) throw new UsageError('flaggan --year <year> måste anges');
      const balances = readOpeningBalancesFile(o.file);
      await executeAndReport({ type: 'ledger.opening', commandId: o.commandId, year, balances, reference: o.reference }, g(), io);
    });

  ledgerCommand
    .command('correct-opening')
    .description('rätta böckernas ingående balanser medan deras år är öppet: hela uppsättningen på nytt, som ersätter den registrerade')
    .addOption(requiredInHelp(new Option('--year <year>', 'året de registrerade ingående balanserna gäller').argParser(parseYear)))
    .requiredOption('--file <file>', 'CSV med rubrikraden konto;belopp, hela den rättade uppsättningen (som för ledger opening), eller JSON')
    .requiredOption('--reference <text>', 'varifrån de rättade siffrorna kommer, t.ex. "UB 2022 enligt Visma efter revision 2023-05-10"')
    .requiredOption('--reason <text>', 'varför de rättas, t.ex. "sen leverantörsfaktura 2022 bokförd i Visma"')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { year?: number; file: string; reference: string; reason: string; commandId?: string }) => {
      const year = o.year ?? ledgerCommand.opts<{ year?: number }>().year;
      if (year === undefined) throw new UsageError('flaggan --year <year> måste anges');
      const balances = readOpeningBalancesFile(o.file);
      await executeAndReport({ type: 'ledger.opening.correct', commandId: o.commandId, year, balances, reference: o.reference, reason: o.reason }, g(), io);
    });

  program
    .command('selfcost')
    .description('självkostnad per tjänst: budget, faktisk kostnad, påslag, fakturerat, slutreglerat, över-/underuttag som förs vidare')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--horizon <years>', 'antal år att jämna ut ett över-/underuttag på (standard: enligt konfigurationen, 3)', parseHorizon)
    .action(async (o: { year: number; horizon?: number }) => {
      const horizon = o.horizon ?? loadConfig(io.env).selfCostHorizonYears;
      await withEngine(g(), io, async (engine) => {
        const report = selfCost(engine.state, o.year, horizon);
        if (g().json) return io.out(`${toJson(moneyToJson(report))}\n`);
        io.out(renderSelfCost(engine.state, report, horizon));
      }, BOOKS_SCOPE);
    });

  const exportCommand = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('exportera data till andra system');
  exportCommand
    .command('sie')
    .description('årets bokföring som SIE 4-fil (teckentabell 437) för ett bokföringsprogram')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--type <type>', '4E (saldon och verifikationer) eller 4I (bara verifikationer)', parseType, '4E' as '4E' | '4I')
    .requiredOption('--out <file>', 'fil att skriva till (t.ex. samkost-2024.se)')
    .option('--chart <file>', 'kontoplan att bokföra mot (JSON; annars BAS-kontona)')
    .action(async (o: { year: number; type: '4E' | '4I'; out: string; chart?: string }) => {
      const config = loadConfig(io.env);
      warnOfPlaceholderSeller(config, io);
      const chart = loadChart(o.chart);
      await withEngine(g(), io, async (engine) => {
        const outside = yearOutsideBooks(engine.state, o.year, Number(todayOf(io).slice(0, 4)));
        if (outside) throw new UsageError(outside);
        const doc = sieDocumentFor(engine.state, o.year, o.type, { company: { name: config.seller.name, orgnr: config.seller.orgnr }, generated: todayOf(io), chart });
        const bytes = encodeSie(writeSie(doc));
        writeOutputFile(o.out, bytes);
        if (g().json) return io.out(`${toJson({ ok: true, file: o.out, type: o.type, year: o.year, vouchers: doc.vouchers.length, accounts: doc.accounts.length, bytes: bytes.length })}\n`);
        io.out(`SIE ${o.type} ${o.year} skriven till ${o.out}: ${counted(doc.vouchers.length, 'verifikation', 'verifikationer')}, ${counted(doc.accounts.length, 'konto', 'konton')} (${bytes.length} byte, teckentabell 437)\n`);
      }, BOOKS_SCOPE);
    });
}
