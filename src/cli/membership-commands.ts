import { duplicateKey, duplicateKeyWords } from '../json-keys';
import type { Command } from 'commander';
import { newTable } from './table';
import { MEMBER_KIND_NAMES } from './kind-names';
import { type Command as DomainCommand, parseCommand } from '../../domain/commands';
import { amountString, formatSek, grouped, sum } from '../../domain/money';
import { periodOn } from '../../domain/state';
import { feesForYear } from '../../projections/fees';
import { type GlobalOptions, NO_DOCUMENTS, todayOf, withEngine, withEngineFor } from './context';
import { commandIdOf, describeResult, executeAndReport, internalFieldProblem } from './execute';
import { commandIdProblem } from '../app/command-identity';
import { DEFAULT_POPULATION_COLUMNS, dirOf, expandFileReference, jsonProblem, readJsonFile, readPopulationCsv, readUtf8 } from './input-files';
import { withConfiguredDefaults } from '../config';
import { type CliIo, toJson, UsageError } from './io';
import { COMMAND_ID } from './help-words';
import { parseYear, parseDate } from './options';
import { municipalityCount } from '../../domain/population-rule';

/** "1 kommando utfört", "2 kommandon utförda" */
const executed = (n: number): string => `${n} ${n === 1 ? 'kommando utfört' : 'kommandon utförda'}`;

export function registerMembershipCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const g = () => program.opts<GlobalOptions>();
  const member = program.command('member').description('medlemmar: inträde, utträde, återinträde, faktureringsuppgifter');

  member
    .command('join')
    .description('en medlem träder in (vid återinträde efter utträde betalas återinträdesandelen av medlemsinsatsen)')
    .requiredOption('--orgnr <nr>', 'organisationsnummer NNNNNN-NNNN')
    .requiredOption('--kind <kind>', 'medlemstyp: municipality (kommun) | region | federation (kommunalförbund) | organisation')
    .requiredOption('--name <name>', 'namn så som det ska stå på fakturorna')
    .option('--kommunkod <code>', 'kommunkod med fyra siffror (för kommuner)')
    .option('--covers <codes>', 'kommunkoderna ett kommunalförbund omfattar, kommaseparerade')
    .requiredOption('--date <date>', 'inträdesdatum ÅÅÅÅ-MM-DD')
    .requiredOption('--decision <ref>', 'beslutsreferens (styrelsens eller stämmans protokoll)')
    .option('--street <s>', 'gatuadress').option('--postal-code <s>', 'postnummer').option('--city <s>', 'postort')
    .option('--command-id <id>', `${COMMAND_ID} (standard: härlett ur kommandot)`)
    .action(async (o) => {
      const address = o.street || o.postalCode || o.city ? { street: o.street, postalCode: o.postalCode, city: o.city } : undefined;
      await executeAndReport({
        type: 'member.join', commandId: o.commandId, orgnr: o.orgnr, kind: o.kind, name: o.name, kommunkod: o.kommunkod,
        covers: o.covers ? String(o.covers).split(',').map((s: string) => s.trim()) : undefined, date: o.date, decisionRef: o.decision, address,
      }, g(), io, { decisionRef: '--decision', address: 'adressen' });
    });

  member
    .command('leave <member>')
    .description('en medlem träder ut (anges med organisationsnummer eller kommunkod); datumet är sista dagen som medlem')
    .requiredOption('--date <date>', 'sista dagen som medlem, ÅÅÅÅ-MM-DD')
    .requiredOption('--reason <text>', 'skäl, t.ex. "ingen tjänst"')
    .option('--decision <ref>', 'beslutsreferens')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (name: string, o) => {
      await executeAndReport({
        type: 'member.leave', commandId: o.commandId, member: name, date: o.date, reason: o.reason, decisionRef: o.decision,
      }, g(), io, { member: '', decisionRef: '--decision' });
    });

  member
    .command('details <member>')
    .description('nya faktureringsuppgifter för en medlem: referensen på dess fakturor ("Er referens", Peppol BT-10) och postadressen; det som inte anges behålls')
    .option('--reference <ref>', 'referensen medlemmen vill ha på sina fakturor')
    .option('--street <s>', 'gatuadress').option('--postal-code <s>', 'postnummer').option('--city <s>', 'postort')
    .option('--date <date>', 'när medlemmen lämnade uppgifterna, ÅÅÅÅ-MM-DD (standard: i dag)')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (name: string, o) => {
      const address = o.street || o.postalCode || o.city ? { street: o.street, postalCode: o.postalCode, city: o.city } : undefined;
      if (address === undefined && o.reference === undefined) throw new UsageError('member details: ange --reference eller någon av --street, --postal-code och --city');
      await executeAndReport({
        type: 'member.details', commandId: o.commandId, member: name, date: o.date ?? todayOf(io), address, invoiceReference: o.reference,
      }, g(), io, { member: '', address: 'adressen', invoiceReference: '--reference' });
    });

  program
    .command('members')
    .description('medlemsförteckningen en viss dag')
    .option('--at <date>', 'datum ÅÅÅÅ-MM-DD (standard: i dag)', parseDate)
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
        for (const r of rows) t.push([r.orgnr, r.name, MEMBER_KIND_NAMES[r.kind], r.kommunkod ?? (r.covers ? municipalityCount(r.covers.length) : ''), r.since, r.leaves ?? '']);
        io.out(`Medlemmar ${at}: ${rows.length}\n${t.toString()}\n`);
      }, NO_DOCUMENTS);
    });

  const population = program.command('population').description('officiell statistik över folkmängd (SCB)');
  population
    .command('import <file>')
    .description('registrera en tabell från SCB i en CSV-fil (code,name,county,population,year), en tabell per år')
    .option('--source <text>', 'källa som registreras (standard: SCB BE0101 Folkmängd 31 december (<file>))')
    .option('--columns <map>', 'kolumnernas namn i filen, t.ex. code=Kommunkod,name=Kommun,population=Folkmängd,year=År')
    .option('--command-id <id>', COMMAND_ID)
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

  const schedule = program.command('schedule').description('avgiftsplaner som stämman antagit');
  schedule
    .command('adopt <file>')
    .description('anta en avgiftsplan för ett år (JSON: tiers, firstYear, reentryPercent)')
    .option('--year <year>', 'avgiftsåret (går före filens)', parseYear)
    .option('--decision <ref>', 'referens till stämmans beslut (går före filens)')
    .option('--decided-on <date>', 'beslutsdatum (går före filens)', parseDate)
    .option('--command-id <id>', COMMAND_ID)
    .action(async (file: string, o: { year?: number; decision?: string; decidedOn?: string; commandId?: string }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      await executeAndReport({
        ...content, type: 'schedule.adopt', commandId: o.commandId,
        // Given, even empty, a flag takes the place of the file's field: --decision "" is refused as empty, not read as absent.
        ...(o.year !== undefined && { year: o.year }), ...(o.decision !== undefined && { decisionRef: o.decision }), ...(o.decidedOn !== undefined && { decidedOn: o.decidedOn }),
      }, g(), io);
    });

  const levy = program.command('levy').description('extra utdebiteringar som en stämma beslutat');
  levy
    .command('decide <file>')
    .description('besluta en extra utdebitering per storleksklass (JSON: year, levyId, purpose, decisionRef, decidedOn, tiers)')
    .option('--command-id <id>', COMMAND_ID)
    .action(async (file: string, o: { commandId?: string }) => {
      const content = readJsonFile(file) as Record<string, unknown>;
      await executeAndReport({ ...content, type: 'levy.decide', commandId: o.commandId }, g(), io);
    });

  program
    .command('fees')
    .description('avgifter per medlem för ett år: storleksklass, folkmängd som används, årsavgift, medlemsinsats, utdebiteringar')
    .requiredOption('--year <year>', 'avgiftsår', parseYear)
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
          t.push([r.name, r.tier.label, (r.population ? grouped(r.population.value) : '–'), formatSek(pick(r, 'annual-fee')), formatSek(pick(r, 'joining-contribution')), formatSek(pick(r, 'levy')), formatSek(r.total)]);
        }
        io.out(`Avgifter ${o.year} (befolkning enligt SCB 31 december ${o.year - 1})\n${t.toString()}\nSumma: ${formatSek(fees.total)}\n`);
      }, NO_DOCUMENTS);
    });

  program
    .command('apply <file>')
    .description('kör kommandona i en NDJSON-fil i tur och ordning; stannar vid första ogiltiga rad')
    .action(async (file: string) => {
      const lines = readUtf8(file).split('\n');
      // Every line read and validated first: a line that is no command (not JSON, an unknown type, an
      // amount of three decimals) refuses the file before any line is applied, as a bank file's bad row
      // does, and the engine folds only the documents the file's commands read. A line refused by what is
      // stored (an unknown invoice) can only be known at its turn: the lines before it stay applied.
      const parsed = lines.map((line): { command: DomainCommand; commandId?: string } | Error | undefined => {
        const text = line.trim();
        if (!text || text.startsWith('//')) return undefined;
        try {
          let obj: unknown;
          try {
            obj = JSON.parse(text);
          } catch (err) {
            throw new UsageError(`inte giltig JSON (${jsonProblem(err)}); en rad ska vara ett kommando som ett JSON-objekt, t.ex. {"type":"payment.record",…}`);
          }
          const twice = duplicateKey(text);
          if (twice !== undefined) throw new UsageError(duplicateKeyWords(twice));
          if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new UsageError('ska vara ett JSON-objekt med "type"');
          const { commandId, ...body } = expandFileReference(obj as Record<string, unknown>, dirOf(file));
          const internal = internalFieldProblem(body);
          if (internal !== undefined) throw new UsageError(internal);
          const command = parseCommand(withConfiguredDefaults(body, io));
          const id = commandIdOf(commandId);
          const idProblem = id === undefined ? undefined : commandIdProblem(command.type, id);
          if (idProblem !== undefined) throw new UsageError(idProblem);
          return { command, commandId: id };
        } catch (err) {
          return err as Error;
        }
      });
      // A file with no line to run (empty, or blank lines and comments only) is refused, as a bank file
      // with no payment is: "0 kommandon utförda" and exit 0 would read as a run that did what was asked.
      if (parsed.every((p) => p === undefined)) throw new UsageError(`${file}: inga kommandon i filen (en apply-fil ska ha ett kommando per rad som ett JSON-objekt, t.ex. {"type":"payment.record",…})`);
      // An id two lines give to different commands: the second would be refused at its turn, after the first.
      const firstWithId = new Map<string, string>();
      for (const [i, p] of parsed.entries()) {
        if (p === undefined || p instanceof Error || p.commandId === undefined) continue;
        const content = JSON.stringify(p.command);
        const earlier = firstWithId.get(p.commandId);
        if (earlier === undefined) firstWithId.set(p.commandId, content);
        else if (earlier !== content) parsed[i] = new UsageError(`kommando-id ${p.commandId} används redan av en tidigare rad i filen för ett annat kommando; ge varje kommando ett eget id`);
      }
      const malformed = parsed.findIndex((p) => p instanceof Error);
      if (malformed >= 0) throw new UsageError(`${file} rad ${malformed + 1}: ${(parsed[malformed] as Error).message}; inget i filen har utförts`);
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
            // Nothing stored, as a line's own answer says ("redan registrerat; inget nytt sparat"): the same
            // command before, or the same content under another id (a payment, a set of opening balances).
            if (r.duplicate || r.events.length === 0) repeated += 1;
            else applied += 1;
            if (!g().json) io.out(describeResult(p.command, r, engine.state));
          } catch (err) {
            const summary = `${executed(applied)}, ${repeated} redan registrerade, före rad ${i + 1}`;
            if (g().json) io.out(`${toJson({ ok: false, line: i + 1, error: (err as Error).message, applied, repeated })}\n`);
            // What the lines before it did, when they did anything: a file refused at its first line is the
            // one line on stderr that says why, not a count of nothing beside it.
            else if (applied + repeated > 0) io.out(`${summary}\n`);
            throw new UsageError(`${file} rad ${i + 1}: ${(err as Error).message}`);
          }
        }
        if (g().json) io.out(`${toJson({ ok: true, applied, repeated })}\n`);
        else io.out(`${executed(applied)}, ${repeated} redan registrerade\n`);
      });
      setExit(0);
    });
}
