import { duplicateKey, duplicateKeyWords } from '../json-keys';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { executeAndReport } from '../cli/execute';
import { type CliIo, toJson } from '../cli/io';
import { looksUtf16 } from '../cli/input-files';
import { buildProgram } from '../cli/main';
import { errorLine, isRefusal } from '../cli/refusals';
import { ConfigError, flushWarnings } from '../config';
import { NotFoundError } from '../../domain/errors';
import { ConcurrencyError, EventDecodeError, StoreError } from '../store/port';
import type { Clock } from '../clock';
import { listed } from '../../domain/swedish-list';

/*
 * samkost over HTTP, for tools that cannot run a process: a council's budget sheet asking what-if, finance's
 * systems fetching invoices and open balances, an integration recording payments. Every request runs the
 * CLI's own code with --json, in this process and against the same store, so a read answers exactly what
 * `samkost … --json` prints (a fold of what it needs, nothing cached between requests) and a command is
 * decided and appended through the engine with its idempotency key: a retried POST never bills twice.
 *
 * Nothing here reads or writes a file the client names: the reads take no file options, exports are not
 * served, and a command's body is the command itself, not an `apply` line with file references.
 */

/** Runs the CLI (src/cli/main.ts#main) with these arguments; returns its exit code. */
export type CliRunner = (argv: string[], io: CliIo) => Promise<number>;

export interface ServerOptions {
  /** The store every request uses (a SQLite file or an esdb:// URL). */
  store: string;
  /** Recorded as the actor of commands without an X-Samkost-Actor header. */
  actor: string;
  env: NodeJS.ProcessEnv;
  /** "Today" for defaults (a command's date), as the CLI takes it; the system clock unless given. */
  clock?: Clock;
  run: CliRunner;
  /**
   * Milliseconds a client has to send a whole request, headers and body (REQUEST_TIMEOUT_MS unless given):
   * one that promises more than it sends is answered 408 and its connection closed.
   */
  requestTimeout?: number;
}

/**
 * How long a client may take to send a request. Fastify leaves it unlimited, so a request whose
 * Content-Length is larger than its body held its connection (and a handler waiting for the body) open for
 * as long as the client kept the socket. A command's body is small; 30 s is ample over any network.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Node checks requests against their timeout on an interval (30 s by default), so a request could wait up
 * to twice its timeout: checking every second (or sooner, for a shorter timeout) keeps the wait near it.
 */
const checkingInterval = (timeout: number): number => Math.max(1, Math.min(1000, timeout));

/**
 * What Node gives up on before a request reaches fastify, in the words of the other refusals: a request
 * that did not arrive in time (408), headers too large (431), anything else that is not HTTP (400).
 */
function clientErrorAnswer(code: string | undefined, timeout: number): { status: number; reason: string; error: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', error: `begäran kom inte fram inom ${String(timeout / 1000).replace('.', ',')} s: innehållet var kortare än Content-Length eller kom för långsamt` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', error: 'begärans huvuden är för stora' };
    default:
      return { status: 400, reason: 'Bad Request', error: 'begäran går inte att läsa som HTTP' };
  }
}

/** The reads served, by path: the CLI words they run. Query parameters become the command's options. */
const READS: Record<string, string[]> = {
  members: ['members'],
  fees: ['fees'],
  services: ['services'],
  enrolments: ['enrolments'],
  split: ['split'],
  simulate: ['simulate'],
  invoices: ['invoices'],
  receivables: ['receivables'],
  ledger: ['ledger'],
  selfcost: ['selfcost'],
  /** Supplier invoices with their VAT, what is paid and what is owed (`?year=Y&service=S&open`). */
  costs: ['costs'],
  /** `?member=M&year=Y`: every line billed to a member in a year, each traced to its events. */
  trace: ['trace'],
  /** Each stream's head, as `samkost heads --json`: for a tool that notes them between audits. */
  heads: ['heads'],
  /** `?member=M&at=D`: the payment reminder's figures and text. */
  reminder: ['reminder'],
  /** `?year=Y`: the fee schedule adopted for a fee year, as stored, with the event it rests on. */
  schedules: ['schedule', 'show'],
  /** `?year=Y` (without it, every year's): the extra levies decided, each as stored with its event. */
  levies: ['levies'],
  /** `?year=Y&kommun=K`: the recorded SCB tables, the one a fee year uses, or a municipality's figures in them. */
  population: ['population', 'show'],
};

/**
 * Parameters a read cannot do without here, though the CLI can: a reminder for every member is written to
 * a directory (`--out`), which the server never does, so a reminder here is one member's.
 */
const REQUIRED: Record<string, string[]> = { reminder: ['member'] };

/** Options a client never sets: where the store is, who acts, how output is written, files on the server. */
const RESERVED = new Set(['store', 'actor', 'json', 'format', 'out', 'chart', 'columns', 'help', 'h']);

/**
 * The parameters each read takes: its CLI command's options, less the reserved, read off the CLI's own program
 * once (so that they can never drift from what the command takes). main.ts reaches this module through
 * `samkost serve`, so the two import each other: buildProgram is called only when a request comes, when both
 * are loaded.
 */
let parametersOfReads: Map<string, string[]> | undefined;
function readParameters(read: string): string[] {
  if (!parametersOfReads) {
    const program = buildProgram({ out: () => undefined, err: () => undefined, env: {}, isTty: false }, () => undefined);
    parametersOfReads = new Map(Object.entries(READS).map(([name, words]) => {
      const command = words.reduce((c, word) => c.commands.find((sub) => sub.name() === word) ?? c, program);
      if (command === program) throw new Error(`the read ${name} has no CLI command ${words.join(' ')}`);
      const names = command.options.map((opt) => opt.long?.replace(/^--/, '') ?? '').filter((n) => n !== '' && !RESERVED.has(n));
      return [name, names];
    }));
  }
  return parametersOfReads.get(read) ?? [];
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits), as commander measures a typo. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The names nearest a mistyped one, as commander suggests an option: at most 2 edits away, and more alike than not. */
function nearest(word: string, names: string[]): string[] {
  let best = 2;
  let near: string[] = [];
  for (const name of names) {
    const distance = editDistance(word, name);
    const length = Math.max(word.length, name.length);
    if ((length - distance) / length <= 0.4 || distance > best) continue;
    if (distance < best) near = [];
    best = distance;
    near.push(name);
  }
  return near;
}

/**
 * A parameter a read does not take, refused by name (with the one it was likely meant to be, or what the read
 * takes), before anything else is checked: `?yeer=2023` is a typo of year, not a read without its year.
 */
function unknownParameter(query: object, takes: string[], address: string): string | undefined {
  const unknown = Object.keys(query).find((key) => !takes.includes(key));
  if (unknown === undefined) return undefined;
  const near = nearest(unknown, takes);
  if (near.length > 0) return `okänd parameter ${unknown}; menade du ${near.length === 1 ? near[0] : `någon av ${near.join(', ')}`}?`;
  return `okänd parameter ${unknown}; ${address} ${takes.length === 0 ? 'tar inga parametrar' : `tar ${takes.length === 1 ? 'bara ' : ''}${listed(takes)}`}`;
}

/** What a command's body holds instead of the file an `apply` line may name (src/cli/input-files.ts#expandFileReference). */
const INSTEAD_OF_FILE: Record<string, string> = {
  'population.import': 'tabellen i kroppen (fälten tables och source)',
  'schedule.adopt': 'avgiftsplanen i kroppen (fälten tiers, firstYear och reentryPercent)',
  'ledger.opening': 'raderna i kroppen (fältet balances: [{"account":"1930","amount":"125000.00"}, …])',
  'ledger.opening.correct': 'raderna i kroppen (fältet balances: [{"account":"1930","amount":"125000.00"}, …])',
};

/** A body that is not UTF-8, which JSON must be (RFC 8259): refused, never decoded with U+FFFD and stored so. */
const NOT_UTF8 = 'innehållet är inte UTF-8-text (skicka JSON som UTF-8)';
const UTF16 = 'innehållet är UTF-16-text, inte UTF-8 (skicka JSON som UTF-8)';

/** The address without its query, as a client's message names it. */
const pathOf = (url: string): string => url.split('?')[0];

/**
 * Fastify's own refusals (its errors' codes), in the Swedish of the CLI's: a body it cannot read, a URL it
 * cannot decode. Any other error keeps its message.
 */
function frameworkWords(err: { code?: string; message: string }, url: string, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'innehållet är inte giltig JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'innehållet är tomt fast content-type är application/json';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'innehållstypen stöds inte; skicka JSON med content-type application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `innehållet är för stort: högst ${bodyLimit} byte`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'innehållets storlek stämmer inte med Content-Length';
    case 'FST_ERR_BAD_URL':
      return `adressen ${pathOf(url)} är felaktigt kodad`;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return `adressen ${pathOf(url)} har en för lång del`;
    default:
      return err.message;
  }
}

interface Outcome {
  code: number;
  out: string;
  err: string;
  failure?: unknown;
}

/**
 * The status of a request the CLI gave up on: the client's mistake (400), a store to try again later (503:
 * busy, full, or changed by another run past the engine's retries), or the server's fault (500: a store it
 * cannot open or read, its configuration, samkost itself). A read of something that is not there, named
 * well (an invoice number no document has, the orgnr of no member), is 404. A command naming such a thing
 * stays 400 like any refused command: its address, /v1/commands, is there, and a 404 for it would read to
 * a client or a proxy as a wrong address.
 */
function failureStatus(failure: unknown, asked: 'read' | 'command'): number {
  if (failure instanceof NotFoundError) return asked === 'read' ? 404 : 400;
  if (failure instanceof StoreError) return failure.retryable ? 503 : 500;
  if (failure instanceof ConcurrencyError) return 503;
  if (failure instanceof EventDecodeError || failure instanceof ConfigError) return 500;
  return failure === undefined || isRefusal(failure) ? 400 : 500;
}

/**
 * A CLI refusal in the words of a query string: the reads take their options as parameters (`?year=2023`),
 * so "flaggan --year <year> måste anges" is said "parametern year måste anges".
 */
export function asParameters(line: string): string {
  return line
    // A flag given a value (`?open=1`): commander calls `--open=1` unknown and suggests `--open` itself.
    .replace(/okänd flagga --([a-z][a-z-]*)=[^\s;,]*; menade du --\1\?/, 'parametern $1 tar inget värde; skriv bara ?$1')
    .replace(/flaggan --([a-z][a-z-]*)(?: <[^>]+>)?/g, 'parametern $1')
    .replace(/okänd flagga --([a-z][a-z-]*)(?:=[^\s;,]*)?/g, 'okänd parameter $1')
    .replace(/;? ?se --help för tillgängliga flaggor/, '')
    .replace(/^--([a-z][a-z-]*) /, 'parametern $1 ')
    .replace(/menade du --([a-z][a-z-]*)\?/g, 'menade du $1?')
    // What is left names options in passing (`ange med --add N`, `(--member)`): as parameters, `add=N`,
    // `member`. Only a word of its own: a value quoted from the request ("--x", "--store=…") stays as sent.
    .replace(/(^|[\s(])--([a-z][a-z-]*) ([A-ZÅÄÖ]+|\d+\.\.N)(?=[\s),.;:]|$)/g, '$1$2=$3')
    .replace(/(^|[\s(])--([a-z][a-z-]*)(?=[\s),.;:]|$)/g, '$1$2');
}

/**
 * The actor a client names (X-Samkost-Actor), as recorded on its events. Node reads a header's bytes as
 * Latin-1, so "Kalle Åberg" sent as UTF-8 arrived as "Kalle Ã\u0085berg": the bytes are read as the UTF-8 they
 * are, and a name that is not UTF-8, or holds a control character (a tab, a line break), is refused as a
 * command's text is.
 */
export function actorHeader(value: string | string[] | undefined): string | undefined | Error {
  if (value === undefined || value === '') return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'latin1'));
  } catch {
    return new Error('X-Samkost-Actor är inte UTF-8; skicka namnet som UTF-8');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return new Error('X-Samkost-Actor innehåller ett styrtecken (en tabb, en radbrytning); skriv namnet på en rad');
  return name.trim() || undefined;
}

export function buildServer(o: ServerOptions): FastifyInstance {
  // Every error as the reads and commands give theirs: {"error": one line}. A URL fastify cannot route
  // (frameworkErrors) and an address with no route (the not-found handler) too.
  const requestTimeout = o.requestTimeout ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: false,
    // Given to Node's server as well as to fastify: fastify sets it on the server after creating it, where
    // it has no effect while the headers' timeout (60 s by default) is longer; created with it, Node takes
    // the shorter of the two for the headers.
    requestTimeout,
    http: { requestTimeout, connectionsCheckingInterval: checkingInterval(requestTimeout) },
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      // As Node's own handler: never write into a response already under way on this socket (a 413 sent
      // before the body it refused had arrived), which would corrupt it for the client.
      const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (socket.writable && !inFlight?.headersSent) {
        const a = clientErrorAnswer(err.code, requestTimeout);
        const body = JSON.stringify({ error: a.error });
        socket.write(`HTTP/1.1 ${a.status} ${a.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.destroy(err);
    },
    frameworkErrors: (err, req, res) => void (res as FastifyReply).code(err.statusCode ?? 500).send({ error: frameworkWords(err, req.url, app.initialConfig.bodyLimit ?? 0) }),
  });
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, req, res) => {
    const status = err.statusCode ?? 500;
    // A refusal fastify words is the client's to mend; anything else that reaches here is a fault of ours.
    const words = frameworkWords(err, req.url, app.initialConfig.bodyLimit ?? 0);
    void res.code(status).send({ error: status >= 500 && words === err.message ? errorLine(err) : words });
  });
  // Fastify's JSON parser decodes the body leniently, bytes that are not UTF-8 as U+FFFD: decode it strictly
  // first, then parse it with fastify's own parser (its empty-body and syntax refusals, its __proto__ and
  // constructor checks, at fastify's defaults).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    const bytes = body as Buffer;
    // UTF-16 is named as the encoding it is, not as bad JSON (input-files.ts#looksUtf16).
    if (looksUtf16(bytes)) return done(Object.assign(new Error(UTF16), { statusCode: 400 }), undefined);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return done(Object.assign(new Error(NOT_UTF8), { statusCode: 400 }), undefined);
    }
    parseJson(req, text, (err, value) => {
      const twice = err ? undefined : duplicateKey(text);
      if (twice !== undefined) return done(Object.assign(new Error(duplicateKeyWords(twice)), { statusCode: 400 }), undefined);
      done(err, value);
    });
  });
  app.setNotFoundHandler((req, res) =>
    void res.code(404).send({ error: `okänd adress ${req.method} ${pathOf(req.url)}; här finns GET /v1/<läsning> och POST /v1/commands` }));

  /** The CLI's side of one request: its clock and environment, and what it writes (and what made it give up), kept. */
  const capture = () => {
    const written: { out: string; err: string; failure?: unknown } = { out: '', err: '' };
    const io: CliIo = {
      out: (t) => { written.out += t; }, err: (t) => { written.err += t; }, env: o.env, clock: o.clock, isTty: false,
      failed: (err) => { written.failure = err; },
    };
    return { io, written };
  };

  const cli = async (args: string[]): Promise<Outcome> => {
    const { io, written } = capture();
    const code = await o.run(['node', 'samkost', '--store', o.store, '--actor', o.actor, '--json', ...args], io);
    return { code, ...written };
  };

  /** The CLI's JSON text as the body, as it printed it. */
  const sendJson = (res: FastifyReply, status: number, text: string) => res.code(status).type('application/json; charset=utf-8').send(text);

  /**
   * 0 (and 1, a check that failed: its report says so) is the CLI's JSON; 2 is a refusal, as one line. A
   * client's mistake names its options as parameters; the server's own trouble keeps the CLI's words
   * (`--store` is the operator's to mend, not the client's).
   */
  const reply = (r: Outcome, res: FastifyReply) => {
    if (r.code !== 2) return sendJson(res, 200, r.out);
    const status = failureStatus(r.failure, 'read');
    const line = r.err.trim().split('\n')[0].replace(/^(samkost|error): /, '');
    return res.code(status).send({ error: status < 500 ? asParameters(line) : line });
  };

  app.get<{ Params: { read: string }; Querystring: Record<string, string> }>('/v1/:read', async (req, res) => {
    const words = READS[req.params.read];
    if (!words) return res.code(404).send({ error: `okänd läsning ${req.params.read}; det finns ${Object.keys(READS).join(', ')}` });
    // A parameter given twice is joined by the query parser ("2023,2024"), or both kept (remove=1280&remove=1281
    // removed both, where the CLI refuses an option given twice): refused by name, as the CLI does.
    const twice = Object.entries(req.query as Record<string, unknown>).find(([, v]) => Array.isArray(v));
    if (twice !== undefined) {
      return res.code(400).send({ error: `parametern ${twice[0]} anges ${(twice[1] as unknown[]).length} gånger; ange den en gång, flera värden med komma emellan (${twice[0]}=a,b)` });
    }
    const reserved = Object.keys(req.query).find((key) => RESERVED.has(key) || !/^[a-z][a-z-]*$/.test(key));
    if (reserved !== undefined) {
      // A name written otherwise (`Year`) is a typo, answered as one, not a parameter refused on purpose.
      if (!RESERVED.has(reserved.toLowerCase())) return res.code(400).send({ error: unknownParameter({ [reserved]: '' }, readParameters(req.params.read), `/v1/${req.params.read}`) });
      return res.code(400).send({ error: `parametern ${reserved} tas inte emot här` });
    }
    const unknown = unknownParameter(req.query, readParameters(req.params.read), `/v1/${req.params.read}`);
    if (unknown !== undefined) return res.code(400).send({ error: unknown });
    const args = [...words];
    for (const [key, value] of Object.entries(req.query)) {
      // `?organisation` (no value) is a flag; anything else an option with its value, in one word
      // (`--year=2023`), so that a value is never read as an option of its own (`?year=--store=…`).
      args.push(value === '' ? `--${key}` : `--${key}=${String(value)}`);
    }
    const missing = (REQUIRED[req.params.read] ?? []).find((name) => !(name in req.query));
    if (missing) return res.code(400).send({ error: `parametern ${missing} måste anges` });
    return reply(await cli(args), res);
  });

  // A document number is the CLI's argument after `--`, so that nothing in a path is read as an option.
  app.get<{ Params: { number: string }; Querystring: Record<string, string> }>('/v1/invoices/:number', async (req, res) => {
    const unknown = unknownParameter(req.query, [], '/v1/invoices/NUMMER');
    if (unknown !== undefined) return res.code(400).send({ error: unknown });
    return reply(await cli(['invoice', 'show', '--', req.params.number]), res);
  });

  // An invoice's lines traced to the events, rules and figures they came from; `?line=N` for one line.
  app.get<{ Params: { number: string }; Querystring: { line?: string } }>('/v1/trace/:number', async (req, res) => {
    const unknown = unknownParameter(req.query, ['line'], '/v1/trace/NUMMER');
    if (unknown !== undefined) return res.code(400).send({ error: unknown });
    const line = req.query.line === undefined ? [] : [`--line=${String(req.query.line)}`];
    return reply(await cli(['trace', ...line, '--', req.params.number]), res);
  });

  app.post<{ Body: unknown }>('/v1/commands', async (req, res) => {
    // A command is JSON: text that happens to parse as a string is another media type, not a bad command.
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      return res.code(415).send({ error: 'innehållstypen stöds inte; skicka JSON med content-type application/json' });
    }
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return res.code(400).send({ error: 'innehållet ska vara ett kommando som ett JSON-objekt, t.ex. {"type":"payment.record",…}' });
    // An `apply` line may name a file for the server to read (`"file": "scb.csv"`); a client's request never does.
    if ('file' in body) {
      const type = (body as { type?: unknown }).type;
      return res.code(400).send({ error: `filreferenser tas inte emot över HTTP; skicka ${INSTEAD_OF_FILE[String(type)] ?? 'filens innehåll som fält i kommandot'}` });
    }
    // Node joins a header given twice into one ("k1, k2"): that would be a third key, neither the client's.
    for (const header of ['Idempotency-Key', 'X-Samkost-Actor']) {
      const times = req.raw.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === header.toLowerCase()).length;
      if (times > 1) return res.code(400).send({ error: `${header} anges ${times} gånger; ange den en gång` });
    }
    const key = req.headers['idempotency-key'];
    const actor = actorHeader(req.headers['x-samkost-actor']);
    if (actor instanceof Error) return res.code(400).send({ error: actor.message });
    const command = { ...(body as Record<string, unknown>), ...(typeof key === 'string' ? { commandId: key } : {}) };
    const { io, written } = capture();
    try {
      await executeAndReport(command, { store: o.store, json: true, actor: typeof actor === 'string' && actor ? actor : o.actor }, io);
    } catch (err) {
      flushWarnings(io, false);
      return res.code(failureStatus(err, 'command')).send({ error: errorLine(err) });
    }
    // What the CLI would say on stderr (a placeholder seller, no bankgiro) goes back with the answer.
    flushWarnings(io);
    const warnings = written.err.split('\n').filter(Boolean).map((l) => l.replace(/^samkost: (varning: )?/, ''));
    const result = JSON.parse(written.out) as { duplicate: boolean; events: unknown[] };
    // 201 when events were appended, 200 when nothing was (the same command, or the same payment, before).
    return sendJson(res, result.events.length > 0 && !result.duplicate ? 201 : 200, warnings.length ? `${toJson({ ...result, warnings })}\n` : written.out);
  });

  return app;
}
