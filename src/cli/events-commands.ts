import type { Command } from 'commander';
import { describeVerify, verifyAll } from '../app/verify';
import { rawCodec, type RecordedEvent } from '../store/port';
import { type GlobalOptions, withStore } from './context';
import { type CliIo, toJson } from './io';
import { ProgressReporter } from './progress';

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
    .option('--from <n>', 'från denna revision (med --stream) eller efter denna position i hela loggen', (v) => {
      if (!/^\d+$/.test(v)) throw new Error(`--from ska vara ett heltal, inte "${v}"`);
      return Number(v);
    })
    .action(async (o: { stream?: string; from?: number }) => {
      const g = program.opts<GlobalOptions>();
      await withStore(g, io, async (store) => {
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
    .action(async () => {
      const g = program.opts<GlobalOptions>();
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
          });
        } finally {
          chains.stop();
          replay?.stop();
        }
      }, rawCodec);
      if (g.json) io.out(`${toJson(report)}\n`);
      else io.out(describeVerify(report));
      if (!report.ok) setExit(1);
    });
}
