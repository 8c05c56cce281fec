import { type Command, InvalidArgumentError } from 'commander';
import { buildServer, type CliRunner, REQUEST_TIMEOUT_MS } from '../http/server';
import { storeDirectoryProblem, storeLocation } from '../store/open';
import { StoreError } from '../store/port';
import { actorOf, type GlobalOptions } from './context';
import { type CliIo, UsageError } from './io';

function parsePort(v: string): number {
  const port = Number(v);
  if (!/^\d+$/.test(v) || port < 1 || port > 65535) throw new InvalidArgumentError(`ska vara ett portnummer 1–65535, inte "${v}"`);
  return port;
}

function parseSeconds(v: string): number {
  if (!/^\d{1,4}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`ska vara ett antal sekunder 1–9999, inte "${v}"`);
  return Number(v);
}

/**
 * Why the server cannot listen where it was asked, in the operator's words, or undefined for a fault: a port
 * taken or a host that is not this machine's is the operator's to change, not a fault in samkost.
 */
export function listenFailure(err: unknown, host: string, port: number): string | undefined {
  switch ((err as { code?: unknown }).code) {
    case 'EADDRINUSE':
      return `serve: port ${port} på ${host} används redan av ett annat program (en annan samkost serve?); välj en annan med --port`;
    case 'EACCES':
      return `serve: port ${port} på ${host} kräver behörighet som samkost inte har; välj en port över 1023 med --port`;
    case 'EADDRNOTAVAIL':
      return `serve: adressen ${host} hör inte till den här datorn; ange en av dess adresser med --host (127.0.0.1 för bara den här datorn, 0.0.0.0 för alla)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `serve: värdnamnet ${host} går inte att slå upp; ange en adress med --host (127.0.0.1 för bara den här datorn)`;
    default:
      return undefined;
  }
}

export function registerServeCommand(program: Command, io: CliIo, run: CliRunner): void {
  program
    .command('serve')
    .description('läsningar och kommandon över HTTP som JSON, för andra program: GET /v1/members?at=D, /v1/split?service=S&year=Y, /v1/simulate?…, /v1/invoices/NUMMER, …; POST /v1/commands')
    .option('--port <port>', 'port att lyssna på', parsePort, 8080)
    .option('--host <host>', 'adress att lyssna på (127.0.0.1: bara den här datorn)', '127.0.0.1')
    .option('--request-timeout <seconds>', 'sekunder en klient har på sig att skicka en hel begäran; annars svar 408', parseSeconds, REQUEST_TIMEOUT_MS / 1000)
    .action(async (o: { port: number; host: string; requestTimeout: number }) => {
      const g = program.opts<GlobalOptions>();
      const store = storeLocation(g.store, io.env);
      const problem = storeDirectoryProblem(store);
      if (problem) throw new StoreError(problem);
      const app = buildServer({ store, actor: actorOf(g, io), env: io.env, clock: io.clock, run, requestTimeout: o.requestTimeout * 1000 });
      let address: string;
      try {
        address = await app.listen({ port: o.port, host: o.host });
      } catch (err) {
        const why = listenFailure(err, o.host, o.port);
        if (why === undefined) throw err;
        throw new UsageError(why);
      }
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
      io.out(`samkost serve: ${address}/v1 (lagret ${store}); avsluta med Ctrl-C\n`);
    });
}
