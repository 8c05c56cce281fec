import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { grouped } from '../../domain/money';
import { headsFile, headsOf } from '../app/stream-heads';
import { describeVerify, streamHeads, verifyAll } from '../app/verify';
import { systemClock } from '../clock';
import { rawCodec, type RecordedEvent } from '../store/port';
import { type GlobalOptions, withStore } from './context';
import { readSealedJsonFile } from './input-files';
import { type CliIo, toJson, UsageError } from './io';
import { writeOutputFile } from './output-files';
import { ProgressReporter } from './progress';
import { parseNonNegativeInteger } from './options';
import { newTable } from './table';

const eventJson = (e: RecordedEvent) => ({
  position: e.position.toString(),
  streamId: e.streamId,
  revision: e.revision,
  id: e.id,
  type: e.type,
  schemaVersion: e.schemaVersion,
  data: e.data,
  metadata: e.metadata,
});

export function registerEventCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('events')
    .description('lista sparade händelser i den ordning de sparades, eller en ströms händelser i dess ordning')
    .option('--stream <id>', 'bara denna ström')
    .option('--from <n>', 'från denna revision (med --stream) eller efter denna position i hela loggen', parseNonNegativeInteger)
    .action(async (o: { stream?: string; from?: number }) => {
      const g = program.opts<GlobalOptions>();
      await withStore(g, io, async (store) => {
        // A stream that does not exist is a mistyped name, not an empty answer; a range past a stream's end is empty.
        if (o.stream !== undefined && await store.streamRevision(o.stream) === 'no_stream') throw new UsageError(`strömmen ${o.stream} finns inte`);
        const source = o.stream ? store.readStream(o.stream, o.from ?? 0) : store.readAll(o.from === undefined ? undefined : BigInt(o.from));
        let first = true;
        if (g.json) io.out('[');
        let written = 0;
        for await (const e of source) {
          if (++written % 1000 === 0) await io.drained?.();
          if (g.json) {
            io.out(`${first ? '\n' : ',\n'}${toJson(eventJson(e))}`);
          } else {
            io.out(`${e.position}\t${e.streamId}@${e.revision}\t${e.type}\t${e.metadata.recordedAt}\t${e.metadata.actor}\t${JSON.stringify(e.data).slice(0, 120)}\n`);
          }
          first = false;
        }
        if (g.json) io.out(first ? ']\n' : '\n]\n');
      });
    });

  program
    .command('verify')
    .description('kontrollera allt: hashkedjorna, att varje faktura alla år kan återskapas, att varje kostnadsfördelning summerar till kostnaden, att varje verifikation balanserar')
    .option('--heads <file>', 'jämför också med strömhuvuden noterade vid en tidigare revision (från samkost heads --out, eller en revisionsexports manifest.json): upptäcker borttagna eller omskrivna händelser')
    .action(async (o: { heads?: string }) => {
      const g = program.opts<GlobalOptions>();
      const file = o.heads === undefined ? undefined : readSealedJsonFile(o.heads);
      const noted = o.heads === undefined || file === undefined ? undefined : { heads: headsOf(file.value, o.heads), source: o.heads, sha256: file.sha256 };
      // The raw codec: verify must reach even an event whose data no longer passes its schema.
      const report = await withStore(g, io, async (store) => {
        // Two passes over the log: the chains (which counts the events), then the replay, shown against that count.
        const chains = new ProgressReporter(io, 'Kontrollerar hashkedjor');
        let replay: ProgressReporter | undefined;
        let counted = 0;
        try {
          return await verifyAll(store, (pass, n) => {
            if (pass === 'chains') {
              counted = n;
              return chains.update(n);
            }
            if (!replay) {
              chains.stop();
              replay = new ProgressReporter(io, 'Återskapar fakturor och kreditfakturor', counted || undefined);
            }
            replay.update(n);
          }, noted);
        } finally {
          chains.stop();
          replay?.stop();
        }
      }, rawCodec);
      if (g.json) io.out(`${toJson(report)}\n`);
      else io.out(describeVerify(report));
      if (!report.ok) setExit(1);
    });

  program
    .command('heads')
    .description('strömmarnas huvuden (sista revision och dess hash) att notera vid en revision; verify --heads visar sedan om något tagits bort eller skrivits om')
    .option('--out <file>', 'spara dem som JSON i denna fil')
    .action(async (o: { out?: string }) => {
      const g = program.opts<GlobalOptions>();
      const { report, heads } = await withStore(g, io, async (store) => {
        const progress = new ProgressReporter(io, 'Kontrollerar hashkedjor');
        try {
          return await streamHeads(store, (n) => progress.update(n));
        } finally {
          progress.stop();
        }
      }, rawCodec);
      // Heads past a break would vouch for an altered log.
      if (report.firstBreak) {
        const b = report.firstBreak;
        throw new UsageError(`inga huvuden noterade: hashkedjan är bruten vid ${b.streamId}@${b.revision}: ${b.reason}; kör samkost verify`);
      }
      if (heads.size === 0) throw new UsageError('lagret har inga händelser, så det finns inga huvuden att notera');
      const file = headsFile(heads, report.events, (io.clock ?? systemClock).now().toISOString());
      const text = `${JSON.stringify(file, null, 2)}\n`;
      const seal = createHash('sha256').update(text).digest('hex');
      if (o.out !== undefined) {
        writeOutputFile(o.out, text);
        if (g.json) return io.out(`${toJson({ out: o.out, sha256: seal, streams: heads.size, events: report.events })}\n`);
        return io.out(`sparade ${grouped(heads.size)} strömmars huvuden (${grouped(report.events)} händelser) i ${o.out}; filens SHA-256 att notera: ${seal}\n`);
      }
      if (g.json) return io.out(text);
      const t = newTable(['Ström', 'Sista revision', 'Hash']);
      for (const [id, h] of Object.entries(file.streams)) t.push([id, h.last, h.head]);
      io.out(`${t.toString()}\n${grouped(heads.size)} strömmar, ${grouped(report.events)} händelser; hashkedjorna är obrutna. Spara med --out FIL och kontrollera senare med samkost verify --heads FIL\n`);
    });
}
