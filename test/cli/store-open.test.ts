import { createServer, type AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorLine, isRefusal } from '../../src/cli/refusals';
import { StoreError } from '../../src/store/port';
import { esdbFailure } from '../../src/store/esdb';
import { SqliteEventStore, storeFailure } from '../../src/store/sqlite';
import { openStore } from '../../src/store/open';
import { domainCodec } from '../../src/app/codec';
import { cliFixture, eventCount } from '../support/cli';

const JOIN = ['member', 'join', '--orgnr', '212000-1033', '--kind', 'municipality', '--name', 'Skurups kommun', '--kommunkod', '1264', '--date', '2023-04-15', '--decision', 'S'];

describe('which store a command opens: a read never creates one, a foreign file is never written to', () => {
  test('given no store at the path, when a read runs, then it is refused naming the path, and no file is created', async () => {
    const f = cliFixture();
    for (const read of [['members'], ['invoices', '--year', '2023'], ['verify'], ['events'], ['replay', '--year', '2023']]) {
      const r = await f.run(...read);
      expect(r).toEqual({ code: 2, out: '', err: `samkost: lagret ${f.store} finns inte; ange det med --store eller SAMKOST_STORE (det skapas av det första kommando som lagrar något)\n` });
    }
    expect(existsSync(f.store)).toBe(false);
  });

  test('given an empty file at the path (touched, or cut off), then a read is refused and leaves it empty', async () => {
    const f = cliFixture();
    writeFileSync(f.store, '');
    expect(await f.run('members')).toEqual({ code: 2, out: '', err: `samkost: ${f.store} är en tom fil, inget samkost-lager; ange lagret med --store eller SAMKOST_STORE\n` });
    expect(readFileSync(f.store)).toHaveLength(0);
  });

  test('given no store at the path, when a command stores something, then the store is created with it', async () => {
    const f = cliFixture();
    expect((await f.run(...JOIN)).code).toBe(0);
    expect(eventCount(f.store)).toBe(1);
    expect((await f.json<{ count: number }>('members')).count).toBe(1);
  });

  test('given a file that is not SQLite, then reads and commands are refused, and the file is left as it was', async () => {
    const f = cliFixture();
    writeFileSync(f.store, 'Fakturor 2023\n');
    for (const args of [['members'], JOIN]) {
      expect(await f.run(...args)).toEqual({ code: 2, out: '', err: `samkost: ${f.store} är inget samkost-lager: filen är inte en SQLite-databas\n` });
    }
    expect(readFileSync(f.store, 'utf8')).toBe('Fakturor 2023\n');
  });

  test("given another program's SQLite database, then a command is refused and no events table is added to it", async () => {
    const f = cliFixture();
    const db = new Database(f.store);
    db.exec('CREATE TABLE kunder (id INTEGER PRIMARY KEY, namn TEXT)');
    db.close();
    const r = await f.run(...JOIN);
    expect(r).toEqual({ code: 2, out: '', err: `samkost: ${f.store} är inget samkost-lager: databasen har tabeller men ingen events-tabell\n` });
    const after = new Database(f.store, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['kunder']);
    after.close();
  });

  test('given a directory where the store should be, or a file where its directory should be, then a command is refused in one line', async () => {
    const f = cliFixture();
    mkdirSync(f.store);
    expect((await f.run(...JOIN)).err).toBe(`samkost: lagret ${f.store} är en katalog, ingen lagerfil; ange en fil, t.ex. ${f.store}/samkost.db\n`);
    // A read opens the store read-only, where SQLite calls a directory a read error: said as the same line.
    expect((await f.run('members')).err).toBe(`samkost: lagret ${f.store} är en katalog, ingen lagerfil; ange en fil, t.ex. ${f.store}/samkost.db\n`);
    const file = join(f.dir, 'fil');
    writeFileSync(file, '');
    const g = await f.run('--store', join(file, 'samkost.db'), ...JOIN);
    expect(g).toEqual({ code: 2, out: '', err: `samkost: ${file} är ingen katalog, så lagret ${join(file, 'samkost.db')} kan inte skapas där; stämmer sökvägen i --store eller SAMKOST_STORE?\n` });
  });

  test('given --store in a directory that does not exist (a typo), then a command is refused and creates neither the directory nor a store', async () => {
    const f = cliFixture();
    const typo = join(f.dir, 'dta', 'samkost.db');
    expect(await f.run('--store', typo, ...JOIN)).toEqual({ code: 2, out: '', err: `samkost: ${join(f.dir, 'dta')} finns inte, så lagret ${typo} kan inte skapas där; stämmer sökvägen i --store eller SAMKOST_STORE?\n` });
    expect(existsSync(join(f.dir, 'dta'))).toBe(false);
    // serve opens its store per request: it is refused at once, not with a 500 on every command.
    const served = await f.run('--store', typo, 'serve', '--port', '8799');
    expect([served.code, served.err]).toEqual([2, `samkost: ${join(f.dir, 'dta')} finns inte, så lagret ${typo} kan inte skapas där; stämmer sökvägen i --store eller SAMKOST_STORE?\n`]);
  });

  test('given ./data missing (a fresh clone), then a store in it is created with it, as the README\'s session does; another directory is not', async () => {
    const f = cliFixture();
    const cwd = process.cwd();
    process.chdir(f.dir);
    try {
      const mine = openStore('./data/my.db', domainCodec, 'write');
      await mine.close();
      expect(existsSync(join(f.dir, 'data', 'my.db'))).toBe(true);
      expect(() => openStore('./dta/my.db', domainCodec, 'write')).toThrow(StoreError);
      expect(existsSync(join(f.dir, 'dta'))).toBe(false);
    } finally {
      process.chdir(cwd);
    }
  });

  test('given the default store\'s directory missing (a fresh clone), then the store creates it; a store named by hand does not', async () => {
    const f = cliFixture();
    const fresh = join(f.dir, 'data', 'samkost.db');
    expect(() => new SqliteEventStore(fresh, domainCodec, 'write', false)).toThrow(StoreError);
    expect(existsSync(join(f.dir, 'data'))).toBe(false);
    const store = new SqliteEventStore(fresh, domainCodec, 'write', true);
    await store.close();
    expect(existsSync(fresh)).toBe(true);
  });
});

describe('what SQLite reports is named in Swedish; a store that is busy or full may be tried again', () => {
  const failure = (code: string) => storeFailure('/data/samkost.db', Object.assign(new Error(`raw ${code}`), { code }));

  test.each([
    ['SQLITE_BUSY', 'lagret /data/samkost.db är låst av en annan körning; ingenting lagrades, försök igen', true],
    ['SQLITE_BUSY_SNAPSHOT', 'lagret /data/samkost.db är låst av en annan körning; ingenting lagrades, försök igen', true],
    ['SQLITE_FULL', 'disken för lagret /data/samkost.db är full; ingenting lagrades', true],
    ['SQLITE_READONLY', 'lagret /data/samkost.db går bara att läsa; ingenting lagrades', false],
    ['SQLITE_CORRUPT', 'lagret /data/samkost.db är skadat (raw SQLITE_CORRUPT)', false],
    ['SQLITE_IOERR_WRITE', 'läs- eller skrivfel i lagret /data/samkost.db (SQLITE_IOERR_WRITE); ingenting lagrades', true],
  ])('%s', (code, message, retryable) => {
    const err = failure(code);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ message, retryable });
    expect(errorLine(err)).toBe(message);
  });

  test('an error it does not know is passed on unchanged, and a user reads it as a fault in samkost', () => {
    const err = failure('SQLITE_MISUSE');
    expect(err).not.toBeInstanceOf(StoreError);
    expect(isRefusal(err)).toBe(false);
    expect(errorLine(err)).toBe('oväntat fel i samkost: raw SQLITE_MISUSE');
  });
});

describe('an EventStoreDB that cannot be reached is named in one line, without the address\'s password', () => {
  // Port 1 on this machine: nothing listens there, so the client is refused at once (no server is needed).
  const closed = 'esdb://admin:changeit@localhost:1?tls=false';
  const refusal = 'samkost: EventStoreDB på localhost:1 går inte att nå; försök igen (det som redan hunnit lagras lagras inte två gånger) när servern är uppe\n';

  test('given a read, a command and verify, then each is refused with exit code 2, and verify reports no finding about the log', async () => {
    const f = cliFixture();
    for (const args of [['members'], JOIN, ['verify']]) {
      expect(await f.run('--store', closed, ...args)).toEqual({ code: 2, out: '', err: refusal });
    }
  });

  test('given an address that is not one, then it is refused naming it, without its password', async () => {
    const f = cliFixture();
    const r = await f.run('--store', 'esdb://admin:changeit@localhost:port', 'members');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^samkost: EventStoreDB-adressen esdb:\/\/…@localhost:port går inte att tolka \(så här: esdb:\/\/värd:2113\?tls=false\): .*port number/);
    expect(r.err).not.toContain('changeit');
  });

  test('given a setting the client does not know (a mistyped one), then it is refused naming it, and the address with its password is never printed', async () => {
    const f = cliFixture();
    const warn = jest.spyOn(console, 'warn');
    try {
      const r = await f.run('--store', 'esdb://admin:s3cret@localhost:1?tsl=false', 'members');
      expect(r).toEqual({ code: 2, out: '', err: 'samkost: EventStoreDB-adressen esdb://…@localhost:1?tsl=false har en okänd inställning "tsl" (kända är t.ex. tls, tlsCAFile, nodePreference, defaultDeadline)\n' });
      const tls = await f.run('--store', 'esdb://admin:s3cret@localhost:1?tls=true&tlsVerifyCert=false', 'members');
      expect(tls.err).toBe('samkost: EventStoreDB-adressen esdb://…@localhost:1?tls=true&tlsVerifyCert=false anger tlsVerifyCert=false, som klienten inte stöder; ange serverns certifikat med tlsCAFile=… (eller NODE_EXTRA_CA_CERTS)\n');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test('given an error it does not know, then it is passed on unchanged', () => {
    const err = new Error('x');
    expect(esdbFailure(closed, err)).toBe(err);
  });
});

describe('samkost serve where it cannot listen: the operator is told what to change, not of a fault in samkost', () => {
  test('given a port another program listens on, when serve is started on it, then it is refused in one line naming the port', async () => {
    const f = cliFixture();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      expect(await f.run('serve', '--port', String(port))).toEqual({
        code: 2, out: '', err: `samkost: serve: port ${port} på 127.0.0.1 används redan av ett annat program (en annan samkost serve?); välj en annan med --port\n`,
      });
    } finally {
      taken.close();
    }
  });

  test('given a host name that does not resolve, then it is refused naming the host', async () => {
    const f = cliFixture();
    const r = await f.run('serve', '--port', '18099', '--host', 'nosuchhost.invalid');
    expect(r).toEqual({ code: 2, out: '', err: 'samkost: serve: värdnamnet nosuchhost.invalid går inte att slå upp; ange en adress med --host (127.0.0.1 för bara den här datorn)\n' });
  });
});
