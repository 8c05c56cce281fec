import { type Command, InvalidArgumentError } from 'commander';
import { CONTROL } from '../app/command-identity';
import { newTable } from './table';
import { CREDIT_NOTE_KIND_NAMES, INVOICE_KIND_NAMES } from './kind-names';
import { peppolXml } from '../export/peppol';
import Decimal from 'decimal.js';
import { amountString, formatSek, grouped, sum } from '../../domain/money';
import { namedFirst } from '../../domain/swedish-list';
import type { CreditNoteIssued, InvoiceIssued } from '../../domain/events/billing';
import type { Adopted, InvoiceState, MemberState, State } from '../../domain/state';
import { documentsOfNumber } from '../../domain/documents-read';
import { describeGap, requireDocumentNumber, seriesGaps } from '../../domain/billing/numbers';
import { NotFoundError } from '../../domain/errors';
import { joinsLeftUnbilled } from '../../domain/billing/join-hold';
import { billedFeeWords, feesDifferingFromBilled } from '../../projections/fees';
import { LINE_KIND_NAMES } from '../../domain/kind-words';
import { parsePeriod } from '../../domain/billing/periods';
import { resolveMember } from '../../domain/deciders/membership';
import { creditNoteSummaries, creditOf, invoiceShown, invoiceSummaries, type OpenInvoice, receivables, renderDocument, renderPayments, wrapWords } from '../../projections/invoices';
import { replayYear } from '../app/replay-year';
import { loadConfig, queueWarning, warnOfPlaceholderSeller } from '../config';
import { bankFileRows, bankPayments, checkBankPayments, importReport } from './bank-files';
import { balancesOf, type GlobalOptions, RECEIVABLES_SCOPE, todayOf, withEngine, withEngineFor, withStore } from './context';
import { executeAndReport } from './execute';
import { type CliIo, toJson, UsageError } from './io';
import { moneyToJson } from './money-json';
import { makeOutputDirectory, writeOutputFile } from './output-files';
import { reminderFor } from '../../projections/reminders';
import { join } from 'node:path';
import { amountInput, parseDate, parseYear } from './options';
import { ProgressReporter } from './progress';
import { COMMAND_ID } from './help-words';
import { parseCommand } from '../../domain/commands';
import type { RecordPayment, RunInvoices } from '../../domain/commands/billing';

/** How wide the list of a member's open invoices runs in `receivables` before it wraps. */
const OPEN_INVOICES_WIDTH = 60;

const parseTerms = (v: string) => {
  if (!/^\d{1,3}$/.test(v)) throw new UsageError(`--terms ska vara ett antal dagar, inte "${v}"`);
  return Number(v);
};

/**
 * `--buyer-reference`, on one line and not blank: it goes into the Peppol document as it is typed, where a
 * control character made the XML unreadable and a line break split the reference a buyer routes by, and
 * a blank one was silently replaced by the organisationsnummer.
 */
function parseBuyerReference(v: string): string {
  if (CONTROL.test(v)) throw new InvalidArgumentError('innehåller en radbrytning eller ett annat styrtecken; skriv referensen på en rad');
  if (v.trim() === '') throw new InvalidArgumentError('är tom; ange referensen, eller utelämna flaggan för dokumentets egen (annars köparens organisationsnummer)');
  return v.trim();
}

/** The invoice or the credit note with this number; a refusal (NotFoundError) when there is neither. */
function storedDocument(state: State, number: string): { inv?: InvoiceState; cn?: Adopted<CreditNoteIssued> } {
  const year = state.documentYear.get(number);
  const b = year === undefined ? undefined : state.billing.get(year);
  const inv = b?.invoices.get(number);
  const cn = b?.creditNotes.get(number);
  if (!inv && !cn) throw new NotFoundError(`okänd faktura ${number}`);
  return { inv, cn };
}

/**
 * `fn` on the invoice or credit note with this number as a fold of the whole log shows it: the document
 * whole, with the credits and payments its year holds. Its year's documents are folded without their
 * lines (a balance needs none), and then it alone is read whole from its place in its stream: a year's
 * documents are hundreds of megabytes at national scale, and showing one read them all.
 */
async function withDocument<T>(opts: GlobalOptions, io: CliIo, number: string, fn: (doc: { inv?: InvoiceState; cn?: Adopted<CreditNoteIssued> }) => T): Promise<T> {
  const reads = documentsOfNumber(requireDocumentNumber(number));
  return withEngine(opts, io, async (engine) => {
    const { inv, cn } = storedDocument(engine.state, number);
    if (reads === 'all') return fn({ inv, cn });
    const ref = (inv ?? cn)!.ref;
    const whole = await engine.store.readEvent(ref.streamId, ref.revision);
    const data = whole?.data as { number?: string } | undefined;
    if (whole?.id !== ref.eventId || data?.number !== number) throw new Error(`${number}: the event at ${ref.streamId}@${ref.revision} is not the document folded there`);
    return fn(inv ? { inv: { ...inv, invoice: data as InvoiceIssued } } : { cn: { ...cn!, value: data as CreditNoteIssued } });
  }, reads === 'all' ? undefined : balancesOf(reads.years));
}

export function registerBillingCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const g = () => program.opts<GlobalOptions>();
  const invoice = program.command('invoice').description('fakturakörningar, kreditfakturor och enskilda fakturor');

  invoice
    .command('run')
    .description('fakturera allt som ska faktureras för en period (2024, 2024-Q2 eller 2024-05) och inte redan är fakturerat')
    .requiredOption('--period <period>', 'år, kvartal eller månad')
    .option('--date <date>', 'fakturadatum (standard: dagens datum i Stockholm)', parseDate)
    .option('--terms <days>', 'betalningsvillkor i dagar (standard: enligt konfigurationen, 30)', parseTerms)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { period: string; date?: string; terms?: number; commandId?: string }) => {
      const config = loadConfig(io.env);
      const command = parseCommand({
        type: 'invoice.run', period: o.period, issueDate: o.date ?? todayOf(io),
        paymentTermsDays: o.terms ?? config.paymentTermsDays, vatRate: config.serviceVatRate, seller: config.seller,
      }) as RunInvoices;
      const period = parsePeriod(command.period);
      await withEngineFor(g(), io, [command], async (engine) => {
        // A run reports its own summary (counts per series), not executeAndReport's line per event.
        const r = await engine.execute(command, { commandId: o.commandId });
        const ids = new Set(r.duplicate ? [] : r.events.map((e) => e.id));
        const issued = [...(engine.state.billing.get(period.year)?.invoices.values() ?? [])].filter((i) => ids.has(i.ref.eventId));
        // Of the seller only where documents were issued in its name: a run with nothing to bill issued none.
        if (issued.length > 0) warnOfPlaceholderSeller(config, io, true);
        // An invoice names the buyer's address (mervärdesskattelagen 17 kap. 24 §): say which buyers have none.
        const unaddressed = [...new Set(issued.filter((i) => i.invoice.buyer.address === undefined).map((i) => i.invoice.buyer.name))];
        if (unaddressed.length > 0) {
          queueWarning(io, `varning: ${unaddressed.length} köpare saknar adress på fakturorna (${namedFirst(unaddressed, 3)}); en faktura ska ange köparens adress: ange den med samkost member details MEDLEM --street … --postal-code … --city … före nästa körning`);
        }
        // A fee billed beyond what the fees now give is credited by no run (one short of it is billed by the
        // run, rules 11): said here, with the lines to credit, after which the next run bills the fee as it is.
        const differing = feesDifferingFromBilled(engine.state, period.year).filter((d) => d.billedNet.gt(d.due));
        if (differing.length > 0) {
          const named = differing.map((d) => `${d.name}: ${LINE_KIND_NAMES[d.kind]} ${formatSek(d.due)} enligt avgifterna, fakturerat netto ${formatSek(d.billedNet)} på ${billedFeeWords(d.billed, formatSek)}`);
          queueWarning(io, `varning: ${differing.length === 1 ? 'en medlemsavgift' : `${differing.length} medlemsavgifter`} fakturerade med mer än avgifterna ger (${namedFirst(named, 3)}${differing.length > 3 ? '; alla med raderna att kreditera i --json' : ''}); en körning krediterar inte skillnaden: kreditera raden (samkost invoice credit FAKTURA --lines RAD --reason …), så fakturerar nästa körning avgiften som den är nu`);
        }
        // Every one, with its lines, for a tool (or a finance officer) that credits them all: the text names three.
        const billedBeyond = differing.map((d) => ({
          member: d.member, name: d.name, kind: d.kind, due: amountString(d.due), billedNet: amountString(d.billedNet),
          lines: d.billed.lines.map((l) => ({ invoice: l.invoice, lineNo: l.lineNo, amount: amountString(l.amount), credited: amountString(l.credited) })),
        }));
        // Members whose membership begins after the run's date are billed by a later run (rules 10): named, so
        // that their absence is not taken for an oversight.
        const awaiting = r.duplicate ? [] : joinsLeftUnbilled(engine.state, period, command.issueDate, command.vatRate);
        const awaitingText = awaiting.length === 0 ? '' : `Ej fakturerade, medlemskapet börjar efter fakturadatumet ${command.issueDate}: ${namedFirst(awaiting.map((j) => `${j.name} (från ${j.from})`), 5)}; det som förfaller för dem faktureras av en körning daterad den dagen eller senare\n`;
        if (g().json) return io.out(`${toJson({ ...r, invoices: r.events.length, awaitingJoin: awaiting, feesBilledBeyond: billedBeyond })}\n`);
        if (r.duplicate) return io.out(`Fakturakörning ${o.period}: redan genomförd (kommando ${r.commandId}); inget nytt fakturerat\n`);
        if (r.events.length === 0) return io.out(`Fakturakörning ${o.period}: inget nytt att fakturera\n${awaitingText}`);
        // Each series on its own: numbers run per series, so one range across them (M2024-0133 – T2024-0282) hid where T began.
        const series = new Map<string, InvoiceIssued[]>();
        for (const d of issued) series.set(d.invoice.series, [...(series.get(d.invoice.series) ?? []), d.invoice]);
        const parts = [...series.entries()].map(([k, docs]) => {
          const range = docs.length === 1 ? docs[0].number : `${docs[0].number} – ${docs[docs.length - 1].number}`;
          return `serie ${k}: ${docs.length} (${range}), ${formatSek(sum(docs.map((d) => new Decimal(d.total))))}`;
        });
        const total = formatSek(sum(issued.map((d) => new Decimal(d.invoice.total))));
        io.out(`Fakturakörning ${o.period}: ${issued.length} ${issued.length === 1 ? 'faktura' : 'fakturor'}, summa ${total} inkl. moms; ${parts.join('; ')}\n${awaitingText}`);
      });
    });

  const exportCommand = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('exportera data till andra system');
  exportCommand
    .command('peppol <number>')
    .description('en faktura eller kreditfaktura som Peppol BIS Billing 3.0 (UBL 2.1), det format offentliga köpare tar emot e-fakturor i')
    .option('--out <file>', 'fil att skriva till (standard: skrivs ut i terminalen)')
    .option('--buyer-reference <ref>', 'köparens referens (BT-10) i just denna export; sparas inte, så den kan skilja sig från "Er referens" i invoice show (standard: dokumentets egen, annars köparens organisationsnummer)', parseBuyerReference)
    .action(async (number: string, o: { out?: string; buyerReference?: string }) => {
      await withDocument(g(), io, number, ({ inv, cn }) => {
        const doc = inv?.invoice ?? (cn as NonNullable<typeof cn>).value;
        const xml = peppolXml(doc, o.buyerReference);
        // Without --out the XML is the answer, with --json too; written to a file, what was written is said.
        if (!o.out) return io.out(xml.endsWith('\n') ? xml : `${xml}\n`);
        writeOutputFile(o.out, xml);
        if (g().json) return io.out(`${toJson({ document: number, type: 'credits' in doc ? 'credit-note' : 'invoice', format: 'peppol-bis-3', file: o.out, bytes: Buffer.byteLength(xml) })}\n`);
        io.out(`${'credits' in doc ? 'Kreditfaktura' : 'Faktura'} ${number} som Peppol BIS Billing 3.0 skriven till ${o.out}\n`);
      });
    });

  invoice
    .command('show <number>')
    .description('en faktura eller kreditfaktura så som medlemmen får den; en faktura med sina inbetalningar (och deras id), återföringar och det som är kvar att betala')
    .action(async (number: string) => {
      await withDocument(g(), io, number, ({ inv, cn }) => {
        if (g().json) return io.out(`${toJson(inv ? invoiceShown(inv) : cn!.value)}\n`);
        io.out(inv ? `${renderDocument(inv.invoice, 'invoice')}${renderPayments(inv)}` : renderDocument(cn!.value, 'credit'));
      });
    });

  invoice
    .command('credit <number>')
    .description('utfärda en kreditfaktura (ändringsfaktura) för hela rader av en faktura, eller för hela fakturan')
    .requiredOption('--reason <text>', 'skäl')
    .option('--lines <list>', 'radnummer, kommaseparerade (standard: alla rader)', (v) => v.split(',').map((x) => {
      if (!/^\d+$/.test(x.trim())) throw new UsageError(`--lines ska vara radnummer, inte "${x}"`);
      return Number(x);
    }))
    .option('--date <date>', 'fakturadatum (standard: i dag)', parseDate)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (number: string, o: { reason: string; lines?: number[]; date?: string; commandId?: string }) => {
      await executeAndReport({ type: 'invoice.credit', commandId: o.commandId, invoice: number, lines: o.lines, reason: o.reason, issueDate: o.date ?? todayOf(io) }, g(), io, { invoice: '', issueDate: '--date' });
    });

  program
    .command('invoices')
    .description('ett års fakturor (krediterat, betalt och obetalt) och kreditfakturor')
    .requiredOption('--year <year>', 'år', parseYear)
    .action(async (o: { year: number }) => {
      await withEngine(g(), io, async (engine) => {
        const rows = invoiceSummaries(engine.state, o.year);
        const credits = creditNoteSummaries(engine.state, o.year);
        // The year's sums of the invoices' columns, and of the credit notes' totals (which the invoices' credited
        // sums, as a credit note credits invoices of its own year).
        const totals = {
          total: sum(rows.map((r) => new Decimal(r.total))), credited: sum(rows.map((r) => r.credited)), paid: sum(rows.map((r) => r.paid)),
          refunded: sum(rows.map((r) => r.refunded)), open: sum(rows.map((r) => r.open)),
          creditNotesTotal: sum(credits.map((r) => new Decimal(r.total))),
        };
        if (g().json) return io.out(`${toJson(moneyToJson({ year: o.year, invoices: rows, creditNotes: credits, totals }))}\n`);
        // A refund's column only in a year that has one: Summa − Krediterat − Betalt + Återbetalt = Öppet on each row.
        const refunds = !totals.refunded.isZero();
        const t = newTable(['Nummer', 'Typ', 'Köpare', 'Datum', 'Förfaller', 'Summa', 'Krediterat', 'Betalt', ...(refunds ? ['Återbetalt'] : []), 'Öppet']);
        const figures = (r: { total: Decimal.Value; credited: Decimal; paid: Decimal; refunded: Decimal; open: Decimal }) =>
          [formatSek(new Decimal(r.total)), formatSek(r.credited), formatSek(r.paid), ...(refunds ? [formatSek(r.refunded)] : []), formatSek(r.open)];
        for (const r of rows) t.push([r.number, INVOICE_KIND_NAMES[r.kind], r.buyerName, r.issueDate, r.dueDate, ...figures(r)]);
        if (rows.length > 0) t.push(['Summa', '', '', '', '', ...figures(totals)]);
        io.out(`Fakturor ${o.year}: ${rows.length}\n${t.toString()}\n`);
        if (credits.length === 0) return io.out(`Kreditfakturor ${o.year}: inga\n`);
        const c = newTable(['Nummer', 'Typ', 'Köpare', 'Datum', 'Krediterar', 'Summa']);
        for (const r of credits) c.push([r.number, CREDIT_NOTE_KIND_NAMES[r.kind], r.buyerName, r.issueDate, wrapWords(r.credits.join(', '), OPEN_INVOICES_WIDTH).join('\n'), formatSek(new Decimal(r.total))]);
        c.push(['Summa', '', '', '', '', formatSek(totals.creditNotesTotal)]);
        io.out(`Kreditfakturor ${o.year}: ${credits.length}\n${c.toString()}\n`);
      }, balancesOf([o.year]));
    });

  program
    .command('receivables')
    .description('obetalda kundfordringar per medlem, med det som är förfallet')
    .option('--member <member>', 'bara denna medlem (organisationsnummer eller kommunkod)')
    .option('--at <date>', 'som de stod vid dagens slut detta datum (fakturor utfärdade och inbetalningar gjorda senast då, som konto 1510 i bokföringen); förfallet räknas till samma dag', parseDate)
    .option('--overdue', 'bara fakturor vars förfallodag har passerat')
    .action(async (o: { member?: string; at?: string; overdue?: boolean }) => {
      await withEngine(g(), io, async (engine) => {
        const on = o.at ?? todayOf(io);
        // An unknown or mistyped member is refused, never answered with an empty ledger.
        const wanted = o.member === undefined ? undefined : resolveMember(engine.state, o.member).orgnr;
        const rows = receivables(engine.state, { at: o.at, overdueOn: on })
          .filter((r) => wanted === undefined || r.member === wanted)
          .map((r) => (o.overdue ? { ...r, invoices: r.invoices.filter((i) => i.daysOverdue > 0), open: r.overdue } : r))
          .filter((r) => r.invoices.length > 0);
        const open = sum(rows.map((r) => r.open));
        const overdue = sum(rows.map((r) => r.overdue));
        // Overpayments and credits: what the association owes back, netted in `open` but never in `overdue`.
        const credit = sum(rows.map((r) => creditOf(r.invoices)));
        if (g().json) return io.out(`${toJson(moneyToJson({ at: o.at ?? null, overdueOn: on, open, overdue, credit, receivables: rows }))}\n`);
        const t = newTable(['Medlem', o.overdue ? 'Förfallna fakturor (dagar)' : 'Öppna fakturor', 'Öppet belopp', 'Förfallet']);
        // A member with years of open invoices would stretch the table past any screen: the numbers wrap.
        const listed = (i: OpenInvoice) => (o.overdue ? `${i.number} (${i.daysOverdue})` : i.number);
        for (const r of rows) t.push([r.name, wrapWords(r.invoices.map(listed).join(', '), OPEN_INVOICES_WIDTH).join('\n'), formatSek(r.open), formatSek(r.overdue)]);
        const when = o.at ? `per ${o.at}` : 'allt registrerat';
        io.out(`Kundfordringar, ${when}; förfallet räknat till ${on}\n${t.toString()}\nSumma öppet ${formatSek(open)}, förfallet ${formatSek(overdue)}${credit.gt(0) ? `, tillgodohavanden ${formatSek(credit)} (avräknade i öppet)` : ''} (${rows.length} ${rows.length === 1 ? 'medlem' : 'medlemmar'})\n`);
      }, RECEIVABLES_SCOPE);
    });

  program
    .command('reminder')
    .description('betalningspåminnelse till en medlem (--member) eller, med --out KATALOG, till varje medlem med förfallna fakturor; ingenting lagras')
    .option('--member <member>', 'medlemmen (organisationsnummer eller kommunkod)')
    .option('--at <date>', 'påminnelsens datum: förfallet räknas till dagens slut (standard: i dag)', parseDate)
    .option('--out <path>', 'en fil (med --member) eller en katalog med en fil per medlem')
    .action(async (o: { member?: string; at?: string; out?: string }) => {
      if (!o.member && !o.out) throw new UsageError('ange medlemmen (--member) för en påminnelse, eller en katalog (--out) för en per medlem med förfallna fakturor');
      const at = o.at ?? todayOf(io);
      const config = loadConfig(io.env);
      warnOfPlaceholderSeller(config, io);
      await withEngine(g(), io, async (engine) => {
        const state = engine.state;
        const wanted = o.member === undefined ? undefined : resolveMember(state, o.member).orgnr;
        const reminders = receivables(state, { at, overdueOn: at })
          .filter((r) => wanted === undefined || r.member === wanted)
          .flatMap((r) => reminderFor(state.members.get(r.member) as MemberState, r, config.seller, at) ?? []);
        const files: string[] = [];
        if (o.out !== undefined && wanted !== undefined && reminders.length > 0) {
          writeOutputFile(o.out, reminders[0].text);
          files.push(o.out);
        } else if (o.out !== undefined && wanted === undefined) {
          makeOutputDirectory(o.out);
          for (const r of reminders) {
            const path = join(o.out, `paminnelse-${r.member}-${at}.txt`);
            writeOutputFile(path, r.text);
            files.push(path);
          }
        }
        if (g().json) return io.out(`${toJson(moneyToJson({ at, reminders, ...(o.out !== undefined ? { files } : {}) }))}\n`);
        if (reminders.length === 0) {
          const who = wanted === undefined ? 'ingen medlem' : (state.members.get(wanted)?.name ?? wanted);
          return io.out(`${who}: inget att påminna om ${at} (inget förfallet, eller ett tillgodohavande som täcker det)\n`);
        }
        if (o.out === undefined) return io.out(reminders[0].text);
        io.out(wanted !== undefined ? `sparade påminnelsen till ${reminders[0].name} i ${o.out}\n` : `sparade ${files.length} ${files.length === 1 ? 'påminnelse' : 'påminnelser'} i ${o.out}\n`);
      }, RECEIVABLES_SCOPE);
    });

  const payment = program.command('payment').description('inbetalningar');
  payment
    .command('record')
    .description('registrera en inbetalning mot en faktura')
    .requiredOption('--invoice <number>', 'fakturanummer eller OCR-nummer')
    .requiredOption('--amount <amount>', 'inbetalt belopp, t.ex. 12500.00 eller 12 500,00', amountInput)
    .requiredOption('--date <date>', 'valutadag', parseDate)
    .requiredOption('--reference <ref>', 'bankens referens')
    .option('--overpayment', 'mer än vad som återstår av fakturan har kommit in: registrera hela beloppet, överskottet blir medlemmens tillgodohavande')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { invoice: string; amount: string; date: string; reference: string; overpayment?: boolean; commandId?: string }) => {
      await executeAndReport({
        type: 'payment.record', commandId: o.commandId, invoice: o.invoice, amount: o.amount, date: o.date, reference: o.reference,
        ...(o.overpayment ? { overpayment: true } : {}),
      }, g(), io, {});
    });
  payment
    .command('reverse')
    .argument('<payment>', 'inbetalningens id, som billing-2024@5: invoice show FAKTURA visar det vid varje inbetalning (eller inbetalningens händelse-id)')
    .description('återför en registrerad inbetalning (fel belopp, fel faktura): den räknas inte längre från återföringens datum, fakturan är obetald igen med beloppet, och bokföringen tar tillbaka pengarna det datumet')
    .requiredOption('--date <date>', 'återföringens bokföringsdatum', parseDate)
    .requiredOption('--reason <text>', 'skäl')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (id: string, o: { date: string; reason: string; commandId?: string }) => {
      await executeAndReport({ type: 'payment.reverse', commandId: o.commandId, payment: id, date: o.date, reason: o.reason }, g(), io, { payment: '' });
    });
  payment
    .command('refund')
    .description('betala tillbaka en medlems tillgodohavande på en faktura (överbetald, eller krediterad efter betalning): fakturan är öppen igen med beloppet, och bokföringen tar pengarna från banken det datumet')
    .requiredOption('--invoice <number>', 'fakturan som har tillgodohavandet (fakturanummer eller OCR-nummer)')
    .requiredOption('--amount <amount>', 'utbetalt belopp, högst tillgodohavandet, t.ex. 1250.00 eller 1 250,00', amountInput)
    .requiredOption('--date <date>', 'dagen pengarna lämnade banken', parseDate)
    .requiredOption('--reference <ref>', 'bankens referens för utbetalningen')
    .requiredOption('--reason <text>', 'skäl, t.ex. "överbetalning återbetald"')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { invoice: string; amount: string; date: string; reference: string; reason: string; commandId?: string }) => {
      await executeAndReport({ type: 'payment.refund', commandId: o.commandId, invoice: o.invoice, amount: o.amount, date: o.date, reference: o.reference, reason: o.reason }, g(), io, {});
    });
  payment
    .command('import <file>')
    .description('registrera inbetalningar från banken: en BgMax-fil från Bankgirot, eller en CSV-fil med kolumnerna date,amount,reference (reference = fakturanummer eller OCR-nummer)')
    .action(async (file: string) => {
      const rows = bankFileRows(file, loadConfig(io.env));
      const parsed = bankPayments(rows);
      await withEngineFor(g(), io, parsed.filter((c): c is RecordPayment => !(c instanceof Error)), async (engine) => {
        const checked = checkBankPayments(engine.state, file, rows, parsed, todayOf(io));
        // One append per year whose invoices the file pays, each whole or not at all: a killed import leaves
        // a year's payments all recorded or none, and importing the file again records what is missing.
        // Decided again at the append (deciders/payment-import.ts), so a payment typed meanwhile is seen.
        const paid: { invoice: string; amount: string; date: string; reference: string }[] = [];
        for (const command of checked.commands) {
          const r = await engine.execute(command);
          if (r.duplicate) continue;
          for (const e of r.events) {
            const data = (await engine.store.readEvent(e.streamId, e.revision))?.data as (typeof paid)[number];
            paid.push(data);
            if (!g().json) io.out(`Inbetalning registrerad: ${formatSek(new Decimal(data.amount))} på ${data.invoice}, betald ${data.date}, referens ${data.reference} (${e.streamId}@${e.revision}, position ${e.position})\n`);
          }
        }
        // As appended: a row the append took for a payment typed after the check is reported as typed.
        const { overpaid, typed } = importReport(engine.state, checked, paid);
        const recorded = paid.length;
        const amount = paid.reduce((a, p) => a.plus(p.amount), new Decimal(0));
        // What the file did, counted: a file imported twice says so, rather than looking like the first import.
        const payments = rows.length;
        const counts = { rows: rows.length, recorded, alreadyRecorded: payments - recorded - typed.length, typedByHand: typed.length, amountRecorded: amountString(amount) };
        if (g().json) return io.out(`${toJson({ ok: true, payments, ...counts, overpaid, typed })}\n`);
        for (const line of [...typed, ...overpaid]) io.out(`${line}\n`);
        const already = counts.alreadyRecorded + counts.typedByHand;
        io.out(`${file}: ${counts.rows} ${counts.rows === 1 ? 'rad' : 'rader'}; ${recorded} ${recorded === 1 ? 'inbetalning registrerad' : 'inbetalningar registrerade'} (${formatSek(amount)})`
          + `${already ? `, ${already} fanns redan och registrerades inte igen` : ''}\n`);
      });
    });

  program
    .command('settle')
    .description('slutreglering av en tjänst vid årets slut: fördela den faktiska kostnaden på nytt och fakturera eller kreditera varje skillnad')
    .requiredOption('--service <id>', 'tjänstens id')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--date <date>', 'fakturadatum (standard: i dag)', parseDate)
    .option('--terms <days>', 'betalningsvillkor i dagar (standard: enligt konfigurationen, 30)', parseTerms)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (o: { service: string; year: number; date?: string; terms?: number; commandId?: string }) => {
      const config = loadConfig(io.env);
      const r = await executeAndReport({
        type: 'settlement.run', commandId: o.commandId, serviceId: o.service, year: o.year, issueDate: o.date ?? todayOf(io),
        paymentTermsDays: o.terms ?? config.paymentTermsDays, vatRate: config.serviceVatRate, seller: config.seller,
      }, g(), io, { serviceId: '--service', issueDate: '--date', paymentTermsDays: '--terms' });
      // As for a run: only a settlement that issued documents issued them in the seller's name.
      if (!r.duplicate && r.events.some((e) => e.type === 'InvoiceIssued' || e.type === 'CreditNoteIssued')) warnOfPlaceholderSeller(config, io, true);
    });

  program
    .command('year')
    .description('stängning av ett år')
    .command('close')
    .argument('<year>', 'året som ska stängas', parseYear)
    .description('stäng ett år: senare händelser som skulle ändra årets siffror avvisas')
    .option('--date <date>', 'datum för stängningen (standard: i dag)', parseDate)
    .option('--decision <ref>', 'beslutsreferens')
    .action(async (year: number, o: { date?: string; decision?: string }) => {
      await executeAndReport({ type: 'year.close', year, date: o.date ?? todayOf(io), decisionRef: o.decision }, g(), io, { year: 'året', decisionRef: '--decision' });
    });

  /** Differences listed one per line; --json lists every one. */
  const MAX_DIFFERENCES = 50;

  program
    .command('replay')
    .description('återskapa varje faktura och kreditfaktura för ett år ur händelserna före den och jämför')
    .requiredOption('--year <year>', 'år', parseYear)
    .option('--verify', 'jämför med de sparade dokumenten (slutkod 1 om något skiljer)')
    .action(async (o: { year: number; verify?: boolean }) => {
      const results = await withStore(g(), io, async (store) => {
        const progress = new ProgressReporter(io, 'Spelar upp händelser');
        try {
          return (await replayYear(store, o.year, (n) => progress.update(n))).documents;
        } finally {
          progress.stop();
        }
      });
      // A mistyped year is no replay of nothing that passes.
      if (results.length === 0) throw new UsageError(`det finns inga fakturor eller kreditfakturor för ${o.year} i lagret att återskapa`);
      const reproduced = results.filter((r) => r.reproduced).length;
      // A hole in a series: a document taken out of the log, its command's others left (their chain written anew).
      const gaps = seriesGaps(results.filter((r) => !r.missing).map((r) => r.number));
      const differences = results.filter((r) => !r.reproduced);
      if (g().json) io.out(`${toJson({ year: o.year, documents: results.length, reproduced, differences, numberGaps: gaps })}\n`);
      else {
        for (const r of differences.slice(0, MAX_DIFFERENCES)) io.out(`AVVIKELSE ${r.number}: ${r.difference}\n`);
        if (differences.length > MAX_DIFFERENCES) io.out(`… och ${grouped(differences.length - MAX_DIFFERENCES)} avvikelser till (--json listar alla)\n`);
        for (const gap of gaps) io.out(`AVVIKELSE ${describeGap(gap)}\n`);
        io.out(`${grouped(reproduced)} av ${grouped(results.length)} fakturor och kreditfakturor ${o.year} återskapade${gaps.length ? `; ${gaps.length === 1 ? 'en nummerserie har' : `${gaps.length} nummerserier har`} luckor` : ''}\n`);
      }
      if (o.verify && (reproduced !== results.length || gaps.length > 0)) setExit(1);
    });
}
