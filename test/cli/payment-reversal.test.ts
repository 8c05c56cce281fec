import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAudit } from '../../scripts/check-audit';
import { readSie } from '../../src/export/sie';
import { compiled, runNode } from '../support/processes';
import { firstQuarterInvoiced, settledYear } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

/*
 * `samkost payment reverse`: a finance officer undoes a payment typed with the wrong amount or put on the
 * wrong invoice. The payment is named by the id `invoice show` lists beside it (and `payment record`
 * printed), the invoice is open again from the reversal's date, and the books take the money back with a
 * voucher of their own on that date.
 */

interface Shown { total: string; paid: string; open: string; payments: { id: string; amount: string; date: string; reference: string; event: { eventId: string }; reversed?: { date: string; reason: string; event: { streamId: string; revision: number } } }[] }
interface Voucher { series: string; number: string; date: string; text: string; source: { type: string; eventId: string }; transactions: { account: string; amount: string }[] }

/** The billing fixture's first quarter invoiced in January, and finance at work on 1 June 2024. */
async function paidQ1() {
  const { f, run, json } = await firstQuarterInvoiced();
  const { total } = await json<Shown>('invoice', 'show', 'M2024-0001');
  // 10 000,00 kr typed where the member paid the whole invoice.
  const typed = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '10000.00', '--date', '2024-02-10', '--reference', 'BG 1');
  expect(typed.code).toBe(0);
  const [payment] = (await json<Shown>('invoice', 'show', 'M2024-0001')).payments;
  return { f, run, json, total, payment, typed };
}

describe('samkost payment reverse', () => {
  test('given a payment typed with the wrong amount, when it is reversed by the id invoice show lists, then the invoice is open by its total again, and the right amount can be paid', async () => {
    const { run, json, total, payment, typed } = await paidQ1();
    // payment record printed the id invoice show lists.
    expect(payment.id).toMatch(/^billing-2024@\d+$/);
    expect(typed.out).toContain(`(${payment.id}, position `);
    const shownBefore = await run('invoice', 'show', 'M2024-0001');
    expect(shownBefore.out).toContain(`\nInbetalningar\n  ${payment.id}  2024-02-10      10 000,00 kr  referens BG 1\n`);

    const r = await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel belopp: hela fakturan betalades');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Inbetalning ${payment.id} återförd 2024-03-01: 10 000,00 kr på M2024-0001, betald 2024-02-10, referens BG 1; kvar att betala på M2024-0001: [\\d ]+,00 kr \\(billing-2024@\\d+, position \\d+\\)\\n$`));

    const shown = await json<Shown>('invoice', 'show', 'M2024-0001');
    expect(shown).toMatchObject({ paid: '0.00', open: total, payments: [{ id: payment.id, amount: '10000.00', date: '2024-02-10', reference: 'BG 1', reversed: { date: '2024-03-01', reason: 'Fel belopp: hela fakturan betalades' } }] });
    const text = (await run('invoice', 'show', 'M2024-0001')).out;
    const reversal = shown.payments[0].reversed!.event;
    expect(text.slice(text.indexOf('\nInbetalningar\n'))).toBe(`\nInbetalningar\n  ${payment.id}  2024-02-10      10 000,00 kr  referens BG 1\n  ${' '.repeat(payment.id.length)}  `
      + `återförd 2024-03-01 (${reversal.streamId}@${reversal.revision}): Fel belopp: hela fakturan betalades\n\nBetalt: 0,00 kr\nKvar att betala: 50 000,00 kr\n`);
    expect(total).toBe('50000.00');
    const member = shown as unknown as { buyer: { orgnr: string } };
    const open = await json<{ receivables: { member: string; open: string; invoices: { number: string }[] }[] }>('receivables', '--member', member.buyer.orgnr);
    expect(open.receivables[0].invoices.map((i) => i.number)).toContain('M2024-0001');

    // The whole invoice, as the member paid it, is a payment of an open invoice: no --overpayment.
    expect((await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', total, '--date', '2024-02-10', '--reference', 'BG 1 rättad')).code).toBe(0);
    expect(await json<Shown>('invoice', 'show', 'M2024-0001')).toMatchObject({ paid: total, open: '0.00' });
    expect((await run('invoice', 'show', 'M2024-0001')).out).toMatch(/\nKvar att betala: 0,00 kr\n$/);
  });

  test('given a reversal recorded, when it is given again with the same command id, or without one, then it is recorded once; the same id for another reversal is refused', async () => {
    const { f, run, payment } = await paidQ1();
    const reverse = ['payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel faktura'];
    expect((await run(...reverse, '--command-id', 'rättelse-1')).code).toBe(0);
    const stored = eventCount(f.store);
    expect(await run(...reverse, '--command-id', 'rättelse-1')).toMatchObject({ code: 0, out: 'payment.reverse: redan registrerat av kommando rättelse-1; inget nytt sparat\n' });
    expect(eventCount(f.store)).toBe(stored);
    const other = await run('payment', 'reverse', payment.id, '--date', '2024-03-02', '--reason', 'Annat skäl', '--command-id', 'rättelse-1');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/^samkost: kommando-id rättelse-1 användes redan för ett annat kommando \(PaymentReversed i billing-2024@\d+\); ge detta kommando ett eget id\n$/);
    expect(eventCount(f.store)).toBe(stored);

    // Without a command id, the same reversal twice is one command (its id is derived from its content).
    const g = await paidQ1();
    expect((await g.run('payment', 'reverse', g.payment.id, '--date', '2024-03-01', '--reason', 'Fel faktura')).code).toBe(0);
    const once = eventCount(g.f.store);
    expect((await g.run('payment', 'reverse', g.payment.id, '--date', '2024-03-01', '--reason', 'Fel faktura')).out).toMatch(/^payment\.reverse: redan registrerat av kommando c-[0-9a-f]{32}; inget nytt sparat\n$/);
    expect(eventCount(g.f.store)).toBe(once);
  });

  test('given a payment reversed, when the same payment is recorded again, then nothing is stored, and it says the payment was reversed and how to record one anew', async () => {
    const { f, run, payment } = await paidQ1();
    expect((await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel belopp')).code).toBe(0);
    const stored = eventCount(f.store);
    const again = await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '10000.00', '--date', '2024-02-10', '--reference', 'BG 1');
    expect(again).toMatchObject({ code: 0, out: `payment.record: redan registrerat av kommando payment/M2024-0001/10000.00/2024-02-10/BG 1; inget nytt sparat (inbetalningen ${payment.id} återfördes 2024-03-01: Fel belopp; ska den registreras på nytt, ge den en egen referens)\n` });
    expect(eventCount(f.store)).toBe(stored);
  });

  test('given a bank file\'s payment reversed, when the file is imported again, then it stays reversed; a payment typed by hand and reversed does not stand for the bank\'s row', async () => {
    const { f, run, json, total, payment } = await paidQ1();
    const bank = join(f.dir, 'bank.csv');
    writeFileSync(bank, `date,amount,reference,bankReference\n2024-02-12,${total},M2024-0002,BGC 000000000007\n`);
    expect((await run('payment', 'import', bank)).code).toBe(0);
    const [fromBank] = (await json<Shown>('invoice', 'show', 'M2024-0002')).payments;
    expect((await run('payment', 'reverse', fromBank.id, '--date', '2024-03-01', '--reason', 'Fel faktura i banken')).code).toBe(0);
    expect(await json('payment', 'import', bank)).toMatchObject({ recorded: 0, alreadyRecorded: 1 });
    expect((await json<Shown>('invoice', 'show', 'M2024-0002')).paid).toBe('0.00');

    // The typed 10 000 on M2024-0001, reversed: a bank row of the same amount and day is money received.
    expect((await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Aldrig inbetald')).code).toBe(0);
    const row = join(f.dir, 'row.csv');
    writeFileSync(row, 'date,amount,reference,bankReference\n2024-02-10,10000.00,M2024-0001,BGC 000000000008\n');
    expect(await json('payment', 'import', row)).toMatchObject({ recorded: 1, typedByHand: 0 });
    expect((await json<Shown>('invoice', 'show', 'M2024-0001')).paid).toBe('10000.00');
  });

  test('given a late invoice whose payment is reversed, then the reminder from the reversal\'s date on asks for it again', async () => {
    const { run, json, total, payment } = await paidQ1();
    expect((await run('payment', 'record', '--invoice', 'M2024-0001', '--amount', (Number(total) - 10000).toFixed(2), '--date', '2024-02-11', '--reference', 'BG 2')).code).toBe(0);
    const { buyer } = await json<{ buyer: { orgnr: string; name: string } }>('invoice', 'show', 'M2024-0001');
    const late = async (at: string) => (await json<{ reminders: { late: { number: string }[] }[] }>('reminder', '--member', buyer.orgnr, '--at', at)).reminders.flatMap((r) => r.late.map((l) => l.number));
    expect(await late('2024-04-01')).not.toContain('M2024-0001');
    expect((await run('payment', 'reverse', payment.id, '--date', '2024-04-15', '--reason', 'Fel faktura')).code).toBe(0);
    expect(await late('2024-04-14')).not.toContain('M2024-0001');
    expect(await late('2024-04-15')).toContain('M2024-0001');
  });

  describe('what is refused: one Swedish line, exit code 2, nothing stored', () => {
    test.each([
      ['an id no payment has', ['billing-2024@99', '--date', '2024-03-01'], 'samkost: payment.reverse: ingen inbetalning är registrerad som billing-2024@99; samkost invoice show FAKTURA visar fakturans inbetalningar med deras id\n'],
      ['an invoice number for a payment\'s id', ['M2024-0001', '--date', '2024-03-01'], 'samkost: payment.reverse: "M2024-0001" är inget id för en inbetalning: ange det som billing-2024@5, som invoice show visar det vid inbetalningen, eller inbetalningens händelse-id\n'],
      ['a date before the payment', ['ID', '--date', '2024-02-09'], 'samkost: payment.reverse ID: daterad 2024-02-09, före inbetalningens valutadag 2024-02-10; en återföring kan inte dateras före inbetalningen (10 000,00 kr på M2024-0001, betald 2024-02-10)\n'],
      ['a date after today', ['ID', '--date', '2024-06-02'], 'samkost: payment.reverse ID: daterad 2024-06-02, efter i dag (2024-06-01)\n'],
      ['a malformed date', ['ID', '--date', '2024-02-30'], 'samkost: --date ska vara ett datum ÅÅÅÅ-MM-DD, inte "2024-02-30"\n'],
      ['no date', ['ID'], 'samkost: flaggan --date <date> måste anges\n'],
    ])('%s', async (_what, args, err) => {
      const { f, run, payment } = await paidQ1();
      const before = eventCount(f.store);
      const r = await run('payment', 'reverse', ...args.map((a) => (a === 'ID' ? payment.id : a)), ...(args.includes('--reason') ? [] : ['--reason', 'Fel']));
      expect([r.code, r.err, r.out]).toEqual([2, err.replace('ID', payment.id), '']);
      expect(eventCount(f.store)).toBe(before);
    });

    test('a payment already reversed', async () => {
      const { f, run, payment } = await paidQ1();
      expect((await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel belopp')).code).toBe(0);
      const before = eventCount(f.store);
      const r = await run('payment', 'reverse', payment.id, '--date', '2024-03-02', '--reason', 'Igen');
      expect([r.code, r.err]).toEqual([2, `samkost: payment.reverse ${payment.id}: inbetalningen (10 000,00 kr på M2024-0001, betald 2024-02-10) är redan återförd 2024-03-01: Fel belopp\n`]);
      expect(eventCount(f.store)).toBe(before);
    });

    test('no reason', async () => {
      const { run, payment } = await paidQ1();
      expect(await run('payment', 'reverse', payment.id, '--date', '2024-03-01')).toMatchObject({ code: 2, err: 'samkost: flaggan --reason <text> måste anges\n' });
    });
  });
});

describe('a reversal in the books', () => {
  test('given a payment reversed in its year, then the ledger has the reversal as a voucher undoing the payment\'s, the trial balance balances, the year\'s SIE holds it, verify and the replay pass', async () => {
    const { f, run, json, payment } = await paidQ1();
    expect((await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel belopp')).code).toBe(0);
    const { vouchers } = await json<{ vouchers: Voucher[] }>('ledger', '--year', '2024', '--part', 'journal');
    const b = vouchers.filter((v) => v.series === 'B');
    expect(b.map((v) => [v.number, v.date, v.source.type, v.transactions])).toEqual([
      ['1', '2024-02-10', 'PaymentRecorded', [{ account: '1930', amount: '10000.00' }, { account: '1510', amount: '-10000.00' }]],
      ['2', '2024-03-01', 'PaymentReversed', [{ account: '1510', amount: '10000.00' }, { account: '1930', amount: '-10000.00' }]],
    ]);
    const { buyer } = await json<{ buyer: { name: string } }>('invoice', 'show', 'M2024-0001');
    expect(b[1].text).toBe(`Återförd inbetalning M2024-0001 ${buyer.name} (BG 1, betald 2024-02-10, ${payment.id}): Fel belopp`);
    const text = await run('ledger', '--year', '2024', '--part', 'journal');
    expect(text.out).toContain(`B 2  2024-03-01  Återförd inbetalning M2024-0001`);
    const trial = await json<{ trial: { account: string; closing: string }[] }>('ledger', '--year', '2024', '--part', 'trial');
    expect(trial.trial.reduce((a, r) => a + Math.round(Number(r.closing) * 100), 0)).toBe(0);
    expect(trial.trial.find((r) => r.account === '1930')).toMatchObject({ closing: '0.00' });

    const sie = join(f.dir, 'books-2024.se');
    expect((await run('export', 'sie', '--year', '2024', '--out', sie)).code).toBe(0);
    const exported = readSie(readFileSync(sie)).vouchers.filter((v) => v.series === 'B');
    expect(exported.map((v) => [v.number, v.date, v.transactions.map((t) => `${t.account} ${t.amount.toFixed(2)}`)])).toEqual([
      ['1', '2024-02-10', ['1930 10000.00', '1510 -10000.00']],
      ['2', '2024-03-01', ['1510 10000.00', '1930 -10000.00']],
    ]);
    expect(exported[1].text).toMatch(/^Återförd inbetalning M2024-0001 .*: Fel belopp$/);

    const verify = await run('verify');
    expect(verify.out).toMatch(/verify: alla 5 kontroller godkända\n$/);
    expect(verify.code).toBe(0);
    expect((await run('replay', '--year', '2024', '--verify')).code).toBe(0);
  });

  test('given a payment of a closed year, then a reversal dated in it is refused, and one dated in the open year is booked there: the closed year\'s books do not move', async () => {
    const f = await settledYear();
    const m = await f.json<Shown>('invoice', 'show', 'M2024-0001');
    expect((await f.run('payment', 'record', '--invoice', 'M2024-0001', '--amount', m.total, '--date', '2024-01-20', '--reference', 'BG 1')).code).toBe(0);
    const inMarch = cliOn(f.store, '2025-03-01T10:00:00Z');
    const json = async <T>(...args: string[]): Promise<T> => JSON.parse((await inMarch('--json', ...args)).out) as T;
    expect((await inMarch('year', 'close', '2024', '--date', '2025-02-15')).code).toBe(0);
    const [payment] = (await json<Shown>('invoice', 'show', 'M2024-0001')).payments;
    const books2024 = await json('ledger', '--year', '2024');
    const packageOf2024 = async (name: string) => {
      const dir = join(f.dir, name);
      expect((await inMarch('export', 'audit', '--year', '2024', '--out', dir)).code).toBe(0);
      const { generatedAt: _g, ...manifest } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      return { dir, manifest, files: ['events.ndjson', 'documents.ndjson', 'traces.ndjson', 'splits.ndjson', 'vouchers.ndjson'].map((n) => readFileSync(join(dir, n), 'utf8')) };
    };
    const packageBefore = await packageOf2024('audit-2024-before');

    const before = eventCount(f.store);
    const inClosed = await inMarch('payment', 'reverse', payment.id, '--date', '2024-12-31', '--reason', 'Fel faktura');
    expect([inClosed.code, inClosed.err]).toEqual([2, `samkost: payment.reverse ${payment.id}: daterad 2024-12-31, men året 2024 stängdes 2025-02-15; dess siffror kan inte längre ändras\n`]);
    expect(eventCount(f.store)).toBe(before);

    expect((await inMarch('payment', 'reverse', payment.id, '--date', '2025-03-01', '--reason', 'Fel faktura')).code).toBe(0);
    expect(await json('ledger', '--year', '2024')).toEqual(books2024);
    const { vouchers } = await json<{ vouchers: Voucher[] }>('ledger', '--year', '2025', '--part', 'journal');
    expect(vouchers.filter((v) => v.source.type === 'PaymentReversed').map((v) => [v.series, v.date, v.transactions]))
      .toEqual([['B', '2025-03-01', [{ account: '1510', amount: m.total }, { account: '1930', amount: `-${m.total}` }]]]);
    const open = await json<{ open: string }>('invoice', 'show', 'M2024-0001');
    expect(open.open).toBe(m.total);
    const sie = join(f.dir, 'books-2025.se');
    expect((await inMarch('export', 'sie', '--year', '2025', '--out', sie)).code).toBe(0);
    expect(readSie(readFileSync(sie)).vouchers.filter((v) => v.text.startsWith('Återförd inbetalning M2024-0001'))).toHaveLength(1);
    expect((await inMarch('verify')).code).toBe(0);
    // The closed year's audit package is the same, though its billing stream has grown by the reversal and by
    // a payment of another of its invoices dated in 2025: those are 2025's books.
    const t = await json<Shown>('invoice', 'show', 'T2024-0002');
    expect((await inMarch('payment', 'record', '--invoice', 'T2024-0002', '--amount', t.open, '--date', '2025-02-20', '--reference', 'BG 9')).code).toBe(0);
    const packageAfter = await packageOf2024('audit-2024-after');
    expect(packageAfter.files).toEqual(packageBefore.files);
    expect(packageAfter.manifest).toEqual(packageBefore.manifest);
    expect(checkAudit(packageAfter.dir)).toMatchObject({ ok: true, problems: [] });
  });
});

describe('a reversal in the audit package', () => {
  /** Rewrites a file of the package and its hash and size into the manifest, as a forger would. */
  function rewrite(dir: string, name: string, edit: (text: string) => string): void {
    const path = join(dir, name);
    const before = readFileSync(path, 'utf8');
    const text = edit(before);
    expect(text).not.toBe(before);
    writeFileSync(path, text);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
    manifest.files[name] = { sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }

  test('given a payment reversed in its year, then the year\'s package holds both vouchers and events, and check-audit passes, tying the reversal to the payment it undoes', async () => {
    const { f, run, payment } = await paidQ1();
    expect((await run('payment', 'reverse', payment.id, '--date', '2024-03-01', '--reason', 'Fel belopp')).code).toBe(0);
    const dir = join(f.dir, 'audit-2024');
    const exported = await run('--json', 'export', 'audit', '--year', '2024', '--out', dir);
    expect(exported.code).toBe(0);
    const vouchers = readFileSync(join(dir, 'vouchers.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Voucher);
    const reversal = vouchers.find((v) => v.source.type === 'PaymentReversed')!;
    expect(reversal).toMatchObject({ series: 'B', date: '2024-03-01', transactions: [{ account: '1510', amount: '10000.00' }, { account: '1930', amount: '-10000.00' }] });
    expect(readFileSync(join(dir, 'events.ndjson'), 'utf8')).toContain(`"id":"${payment.event.eventId}"`);
    expect(checkAudit(dir, (JSON.parse(exported.out) as { manifestSha256: string }).manifestSha256)).toMatchObject({ ok: true, problems: [], vouchers: vouchers.length });
    const script = await runNode(compiled('scripts/check-audit.js'), [dir]);
    expect([script.code, script.stdout]).toEqual([0, expect.stringMatching(/^OK: .*; \d+ verifikationer balanserar och har sin källa i händelserna\n$/)]);

    // A reversal's voucher that does not undo its payment's, though it balances and debits the amount, is named.
    const n = vouchers.indexOf(reversal) + 1;
    rewrite(dir, 'vouchers.ndjson', (t) => t.replace('{"account":"1510","amount":"10000.00"},{"account":"1930","amount":"-10000.00"}', '{"account":"1510","amount":"10000.00"},{"account":"1790","amount":"-10000.00"}'));
    expect(checkAudit(dir).problems).toEqual([
      `vouchers.ndjson rad ${n}: verifikation B ${reversal.number}: återför inte inbetalningens verifikation: 1510 10000.00, 1790 -10000.00, inbetalningens 1930 10000.00, 1510 -10000.00 med debet och kredit omkastade`,
    ]);
    rewrite(dir, 'vouchers.ndjson', (t) => t.replace('{"account":"1510","amount":"10000.00"},{"account":"1790","amount":"-10000.00"}', '{"account":"1510","amount":"9000.00"},{"account":"1930","amount":"-9000.00"}'));
    expect(checkAudit(dir).problems).toEqual([
      expect.stringMatching(new RegExp(`^vouchers\\.ndjson rad ${n}: verifikation B ${reversal.number}: debet 9000\\.00, källan anger 10000\\.00 \\(PaymentReversed billing-2024@\\d+\\)$`)),
      `vouchers.ndjson rad ${n}: verifikation B ${reversal.number}: återför inte inbetalningens verifikation: 1510 9000.00, 1930 -9000.00, inbetalningens 1930 10000.00, 1510 -10000.00 med debet och kredit omkastade`,
    ]);
  });

  test('given a payment of 2024 reversed in 2025, then the package of 2025 holds the reversal and the payment it undoes, and check-audit passes', async () => {
    const { f, payment } = await paidQ1();
    const in2025 = cliOn(f.store, '2025-03-01T10:00:00Z');
    expect((await in2025('payment', 'reverse', payment.id, '--date', '2025-01-10', '--reason', 'Fel faktura')).code).toBe(0);
    const dir = join(f.dir, 'audit-2025');
    expect((await in2025('export', 'audit', '--year', '2025', '--out', dir)).code).toBe(0);
    const events = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string });
    expect(events.filter((e) => e.type === 'PaymentRecorded' || e.type === 'PaymentReversed').map((e) => [e.type, e.id === payment.event.eventId]))
      .toEqual([['PaymentRecorded', true], ['PaymentReversed', false]]);
    expect(checkAudit(dir)).toMatchObject({ ok: true, problems: [] });
    // And 2024's package, with the payment's voucher only, still passes.
    const dir2024 = join(f.dir, 'audit-2024');
    expect((await in2025('export', 'audit', '--year', '2024', '--out', dir2024)).code).toBe(0);
    expect(checkAudit(dir2024)).toMatchObject({ ok: true, problems: [] });
  });
});
