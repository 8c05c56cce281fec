import type { Command } from 'commander';
import { newTable } from './table';
import { MEMBER_KIND_NAMES } from './kind-names';
import { type Command as DomainCommand, parseCommand } from '../../domain/commands';
import { amountString, formatSek, sum } from '../../domain/money';
import { periodOn } from '../../domain/state';
import { feesForYear } from '../../projections/fees';
import { type GlobalOptions, NO_DOCUMENTS, todayOf, withEngine, withEngineFor } from './context';
import { describeResult, executeAndReport } from './execute';
import { DEFAULT_POPULATION_COLUMNS, dirOf, expandFileReference, readJsonFile, readPopulationCsv, readUtf8 } from './input-files';
import { type CliIo, toJson, UsageError } from './io';
import { parseYear, parseDate } from './options';

export function registerMembershipCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const g = () => program.opts<GlobalOptions>();
  const member = program.command('member').description('members: join, leave, rejoin, invoicing details');

  member
    .command('join')
    .description('a member joins (a rejoin after leaving pays the re-entry share of the joining contribution)')
    .requiredOption('--orgnr <nr>', 'organisationsnummer NNNNNN-NNNN')
    .requiredOption('--kind <kind>', 'municipality | region | federation | organisation')
    .requiredOption('--name <name>', 'name as on invoices')
    .option('--kommunkod <code>', 'four-digit kommunkod (municipalities)')
    .option('--covers <codes>', 'comma-separated kommunkoder a federation covers')
    .requiredOption('--date <date>', 'join date YYYY-MM-DD')
    .requiredOption('--decision <ref>', 'decision reference (board or annual meeting minutes)')
    .option('--street <s>').option('--postal-code <s>').option('--city <s>')
    .option('--command-id <id>', 'idempotency key (default: derived from the command)')
    .action(async (o) => {
      const address = o.street || o.postalCode || o.city ? { street: o.street, postalCode: o.postalCode, city: o.city } : undefined;
      await executeAndReport({
        type: 'member.join', commandId: o.commandId, orgnr: o.orgnr, kind: o.kind, name: o.name, kommunkod: o.kommunkod,
        covers: o.covers ? String(o.covers).split(',').map((s: string) => s.trim()) : undefined, date: o.date, decisionRef: o.decision, address,
      }, g(), io);
    });

  member
    .command('leave <member>')
    .description('a member leaves (named by organisationsnummer or kommunkod); the date is the last day of membership')
    .requiredOption('--date <date>', 'effective date YYYY-MM-DD')
    .requiredOption('--reason <text>', 'reason, e.g. "ingen tjänst"')
    .option('--decision <ref>', 'decision reference')
    .option('--command-id <id>', 'idempotency key')
    .action(async (name: string, o) => {
      await executeAndReport({
        type: 'member.leave', commandId: o.commandId, member: name, date: o.date, reason: o.reason, decisionRef: o.decision,
      }, g(), io);
    });

  member
    .command('details <member>')
    .description('new invoicing details for a member: the reference its invoices carry ("Er referens", Peppol BT-10) and its postal address; what is not given stays')
    .option('--reference <ref>', 'the reference the member asks its invoices to carry')
    .option('--street <s>').option('--postal-code <s>').option('--city <s>')
    .option('--date <date>', 'when the member gave the details, YYYY-MM-DD (default: today)')
    .option('--command-id <id>', 'idempotency key')
    .action(async (name: string, o) => {
      const address = o.street || o.postalCode || o.city ? { street: o.street, postalCode: o.postalCode, city: o.city } : undefined;
      if (address === undefined && o.reference === undefined) throw new UsageError('member details: ange --reference eller någon av --street, --postal-code och --city');
      await executeAndReport({
        type: 'member.details', commandId: o.commandId, member: name, date: o.date ?? todayOf(io), address, invoiceReference: o.reference,
      }, g(), io);
    });

  program
    .command('members')
    .description('the member register on a date')
    .option('--at <date>', 'date YYYY-MM-DD (default: today)', parseDate)
    .action(async (o: { at?: string }) => {
      await withEngine(g(), io, async (engine) => {
        const at = o.at ?? todayOf(io);
        const rows = [...engine.state.members.values()]
          .map((m) => ({ m, p: periodOn(m, at) }))
          .filter((x) => x.p !== undefined)
          .sort((a, b) => a.m.name.localeCompare(b.m.name, 'sv'))
          .map(({ m, p }) => ({
            orgnr: m.orgnr, name: m.name, kind: m.kind, kommunkod: m.kommunkod ?? null, covers: m.covers ?? null,
            since: p!.from, rejoin: p!.rejoin, leaves: p!.to ?? null, invoiceReference: m.invoiceReference ?? null,
          }));
        if (g().json) return io.out(`${toJson({ at, count: rows.length, members: rows })}\n`);
        const t = newTable(['Org.nr', 'Namn', 'Typ', 'Kommunkod', 'Medlem sedan', 'Utträde']);
        for (const r of rows) t.push([r.orgnr, r.name, MEMBER_KIND_NAMES[r.kind], r.kommunkod ?? (r.covers ? `${r.covers.length} kommuner` : ''), r.since, r.leaves ?? '']);
        io.out(`Medlemmar ${at}: ${rows.length}\n${t.toString()}\n`);
      }, NO_DOCUMENTS);
    });

  const population = program.command('population').description('official population tables (SCB)');
  population
    .command('import <file>')
    .description('record an SCB table from CSV (code,name,county,population,year), one table per year')
    .option('--source <text>', 'source to record (default: SCB BE0101 Folkmängd 31 december (<file>))')
    .option('--columns <map>', 'column names, e.g. code=Kommunkod,name=Kommun,population=Folkmängd,year=År')
    .option('--command-id <id>', 'idempotency key')
    .action(async (file: string, o: { source?: string; columns?: string; commandId?: string }) => {
      const columns = { ...DEFAULT_POPULATION_COLUMNS };
      for (const pair of (o.columns ?? '').split(',').filter(Boolean)) {
        const [k, v] = pair.split('=');
        if (!(k in columns) || !v) throw new UsageError(`--columns: "${pair}" är inte något av code=…, name=…, population=…, year=…`);
        columns[k as keyof typeof columns] = v;
      }
      const table = readPopulationCsv(file, columns);
      await executeAndReport({
        type: 'population.import', commandId: o.commandId, source: o.source ?? table.source, tables: table.tables,
      }, g(), io);
    });

  const schedule = program.command('schedule').description('fee schedules adopted by the annual meeting');
  schedule
    .command('adopt <file>')
    .description('adopt a fee schedule (JSON: tiers, firstYear, reentryPercent) for a year')
    .option('--year <year>', 'the fee year (overrides the file)', parseYear)
    .option('--decision <ref>', 'annual meeting reference (overrides the file)')
    .option('--decided-on <date>', 'decision date (overrides the file)', parseDate)
    .option('--command-id <id>', 'idempotency key')
    .action(async (file: string, o: { year?: number; decision?: string; decidedOn?: string; commandId?: string }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      await executeAndReport({
        ...content, type: 'schedule.adopt', commandId: o.commandId,
        ...(o.year !== undefined && { year: o.year }), ...(o.decision && { decisionRef: o.decision }), ...(o.decidedOn && { decidedOn: o.decidedOn }),
      }, g(), io);
    });

  const levy = program.command('levy').description('extra levies (extra utdebitering) decided by a general meeting');
  levy
    .command('decide <file>')
    .description('decide an extra levy by tier (JSON: year, levyId, purpose, decisionRef, decidedOn, tiers)')
    .option('--command-id <id>', 'idempotency key')
    .action(async (file: string, o: { commandId?: string }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      await executeAndReport({ ...content, type: 'levy.decide', commandId: o.commandId }, g(), io);
    });

  program
    .command('fees')
    .description('fees per member for a year: tier, population used, annual fee, joining contribution, levies')
    .requiredOption('--year <year>', 'fee year', parseYear)
    .action(async (o: { year: number }) => {
      await withEngine(g(), io, async (engine) => {
        const fees = feesForYear(engine.state, o.year);
        if (g().json) {
          return io.out(`${toJson({
            year: fees.year,
            total: amountString(fees.total),
            members: fees.members.map((r) => ({
              member: r.member, name: r.name, kind: r.kind, tier: r.tier,
              population: r.population && { value: r.population.value, year: r.population.year, referenceDate: r.population.referenceDate, source: r.population.source },
              lines: r.lines.map((l) => ({ kind: l.kind, description: l.description, amount: amountString(l.amount), basis: l.basis })),
              total: amountString(r.total),
            })),
            byTier: fees.byTier.map((t) => ({ ...t, annualFees: amountString(t.annualFees), total: amountString(t.total) })),
          })}\n`);
        }
        const t = newTable(['Medlem', 'Nivå', 'Invånare', 'Årsavgift', 'Insats', 'Utdebitering', 'Summa']);
        const pick = (r: (typeof fees.members)[number], k: string) => sum(r.lines.filter((l) => l.kind === k).map((l) => l.amount));
        for (const r of fees.members) {
          t.push([r.name, r.tier.label, r.population?.value.toLocaleString('sv-SE') ?? '–', formatSek(pick(r, 'annual-fee')), formatSek(pick(r, 'joining-contribution')), formatSek(pick(r, 'levy')), formatSek(r.total)]);
        }
        io.out(`Avgifter ${o.year} (befolkning enligt SCB 31 december ${o.year - 1})\n${t.toString()}\nSumma: ${formatSek(fees.total)}\n`);
      }, NO_DOCUMENTS);
    });

  program
    .command('apply <file>')
    .description('apply an NDJSON file of commands in order; stops at the first invalid line')
    .action(async (file: string) => {
      const lines = readUtf8(file).split('\n');
      // Every line read and validated first, so that the engine folds only the documents the file's
      // commands read; a line's error is still reported at its turn, after the lines before it applied.
      const parsed = lines.map((line): { command: DomainCommand; commandId?: string } | Error | undefined => {
        const text = line.trim();
        if (!text || text.startsWith('//')) return undefined;
        try {
          let obj: unknown;
          try {
            obj = JSON.parse(text);
          } catch (err) {
            throw new UsageError(`inte giltig JSON: ${(err as Error).message}`);
          }
          if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new UsageError('ska vara ett JSON-objekt med "type"');
          const { commandId, ...body } = expandFileReference(obj as Record<string, unknown>, dirOf(file));
          return { command: parseCommand(body), commandId: typeof commandId === 'string' ? commandId : undefined };
        } catch (err) {
          return err as Error;
        }
      });
      const commands = parsed.flatMap((p) => (p === undefined || p instanceof Error ? [] : [p.command]));
      await withEngineFor(g(), io, commands, async (engine) => {
        let applied = 0;
        let repeated = 0;
        for (let i = 0; i < lines.length; i++) {
          const p = parsed[i];
          if (p === undefined) continue;
          try {
            if (p instanceof Error) throw p;
            // A line without its own id is keyed by its content: re-applying the same file appends nothing.
            const r = await engine.execute(p.command, { commandId: p.commandId });
            if (r.duplicate) repeated += 1;
            else applied += 1;
            if (!g().json) io.out(describeResult(p.command.type, r));
          } catch (err) {
            const summary = `${applied} command(s) applied, ${repeated} already recorded before line ${i + 1}`;
            if (g().json) io.out(`${toJson({ ok: false, line: i + 1, error: (err as Error).message, applied, repeated })}\n`);
            else io.out(`${summary}\n`);
            throw new UsageError(`${file} rad ${i + 1}: ${(err as Error).message}`);
          }
        }
        if (g().json) io.out(`${toJson({ ok: true, applied, repeated })}\n`);
        else io.out(`${applied} command(s) applied, ${repeated} already recorded\n`);
      });
      setExit(0);
    });
}
