import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Decimal from 'decimal.js';
import { formatSek } from '../../domain/money';
import { billingFixture, settledYear } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

/* What a finance officer's acceptance test found: commands that stored what they should not, or refused what they should do. */
describe('what a command stores when there is nothing to store, and what it does when told to do all', () => {
  test('given a service settled, when it is settled again with nothing changed (a retry under another date), then it is refused and nothing is stored', async () => {
    const f = await settledYear();
    const before = eventCount(f.store);
    const again = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-21');
    expect([again.code, again.err]).toEqual([2, 'samkost: settlement.run egil 2024: redan slutreglerad, och inget har ändrats sedan: utfallets fördelning är det som fakturerats; inget att fakturera eller kreditera\n']);
    expect(eventCount(f.store)).toBe(before);
    // A cost recorded since is something to settle: the next settlement bills it.
    expect((await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '3000.00', '--supplier', 'L', '--reference', 'F-2', '--date', '2024-12-31')).code).toBe(0);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-22')).code).toBe(0);
  });

  test('given a service settled, when a cost is recorded and the same settlement is given again that day, then it settles the difference', async () => {
    const f = await settledYear();
    const before = eventCount(f.store);
    expect((await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '3000.00', '--supplier', 'L', '--reference', 'F-2', '--date', '2024-12-31')).code).toBe(0);
    // The very command settledYear gave: taken by its words, it was answered "redan registrerat" and billed nothing.
    const again = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
    expect(again.code).toBe(0);
    expect(again.out).toContain('Slutreglering av egil 2024 registrerad');
    expect(eventCount(f.store)).toBeGreaterThan(before + 1);
    // Given once more, nothing has changed: answered as the settlement recorded, nothing stored; and so
    // after the year's close, which refuses a settlement, as a re-applied file always was.
    const settled = eventCount(f.store);
    for (const close of [false, true]) {
      if (close) expect((await f.run('year', 'close', '2024', '--date', '2025-02-01')).code).toBe(0);
      const once = await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-20');
      expect({ code: once.code, out: once.out }).toEqual({ code: 0, out: expect.stringContaining('redan registrerat av kommando') });
      expect(eventCount(f.store)).toBe(settled + (close ? 1 : 0));
    }
  });

  test('given a service settled, when a member\'s enrolment is ended back in the year, then selfcost shows what a settlement would bill and credit member by member, as year close refuses it', async () => {
    const f = await settledYear();
    expect((await f.run('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1124-2024-04-15', '--to', '2024-06-30')).code).toBe(0);
    const report = await f.json<{ services: { serviceId: string; settlementRemaining: string; settlementToBill: string; settlementToCredit: string }[] }>('selfcost', '--year', '2024');
    const egil = report.services.find((r) => r.serviceId === 'egil')!;
    // The cost is the same, so the net is 0,00 kr: Malmö is owed back what Stockholm and Göteborg now owe.
    expect(egil.settlementRemaining).toBe('0.00');
    expect(egil.settlementToBill).toBe(egil.settlementToCredit);
    expect(new Decimal(egil.settlementToBill).gt(0)).toBe(true);
    const text = (await f.run('selfcost', '--year', '2024')).out;
    const kr = (d: string) => formatSek(new Decimal(d));
    expect(text).toMatch(new RegExp(`varav att fakturera\\s+${kr(egil.settlementToBill)}`));
    const close = await f.run('year', 'close', '2024', '--date', '2025-02-01');
    expect(close.err).toContain(`egil (${kr(egil.settlementToBill)} att fakturera, ${kr(egil.settlementToCredit)} att kreditera)`);
  });

  test('given a member invoiced for the year after its exit, when it leaves, then it is refused naming the invoice and the credit to make; once credited, it leaves', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const invoices = await f.json<{ invoices: { number: string; buyerName: string }[] }>('invoices', '--year', '2024');
    const region = invoices.invoices.find((i) => i.buyerName === 'Region Stockholm')!.number;
    const before = eventCount(f.store);
    const leave = ['member', 'leave', '232100-0016', '--date', '2023-12-31', '--reason', 'ingen tjänst'];
    expect(await f.run(...leave)).toMatchObject({
      code: 2,
      err: `samkost: member.leave: Region Stockholm (232100-0016) är redan fakturerad för 2024, efter utträdet 2023-12-31: ${region}; kreditera den först, t.ex. \`samkost invoice credit ${region} --reason "Utträde 2023-12-31"\`\n`,
    });
    expect(eventCount(f.store)).toBe(before);
    expect((await f.run('invoice', 'credit', region, '--reason', 'Utträde 2023-12-31', '--date', '2024-02-01')).code).toBe(0);
    expect((await f.run(...leave)).code).toBe(0);
  });

  test('given an invoice credited line by line in part, when the rest is credited without naming lines, then the lines with something left are credited, and then nothing is left', async () => {
    const f = await billingFixture();
    // Malmö joins in April: its membership invoice bills the fee and the joining contribution, two lines.
    expect((await f.run('invoice', 'run', '--period', '2024', '--date', '2024-04-20')).code).toBe(0);
    const db = new Database(f.store, { readonly: true });
    const { number } = db.prepare("SELECT json_extract(data, '$.number') AS number FROM events WHERE type = 'InvoiceIssued' AND json_array_length(data, '$.lines') >= 2 LIMIT 1").get() as { number: string };
    db.close();
    expect((await f.run('invoice', 'credit', number, '--lines', '1', '--reason', 'Fel', '--date', '2024-05-01')).code).toBe(0);
    const rest = await f.run('invoice', 'credit', number, '--reason', 'Resten', '--date', '2024-05-02');
    expect(rest.code).toBe(0);
    const before = eventCount(f.store);
    const none = await f.run('invoice', 'credit', number, '--reason', 'Igen', '--date', '2024-05-03');
    expect([none.code, none.err]).toEqual([2, `samkost: invoice.credit: allt på ${number} är redan krediterat; inget återstår att kreditera\n`]);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given typed overpayments, then the credit they leave together is at most twice what the member was billed in the year; a bank file\'s money is always recorded', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const inv = await f.json<{ total: string }>('invoice', 'show', 'T2024-0001');
    const before = eventCount(f.store);
    const typo = await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', '999999999999999', '--date', '2024-02-01', '--reference', 'BG 9', '--overpayment');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/^samkost: payment\.record: betalningen lämnar [^\n]+ 999 99\d \d{3} \d{3} \d{3},\d\d kr i tillgodo för 2024, mer än dubbla det som fakturerats \([\d ]+,\d\d kr efter kreditfakturor\); kontrollera beloppet \(999 999 999 999 999,00 kr\)\n$/);
    expect(eventCount(f.store)).toBe(before);
    // The a-conto invoice paid three times over, first on it and then on the member's membership invoice:
    // the member's credit (its billing of the year is the two invoices) passes twice that billing only with
    // the third payment, wherever it is put.
    const twice = new Decimal(inv.total).times(2).toFixed(2);
    const db = new Database(f.store, { readonly: true });
    const { number } = db.prepare("SELECT json_extract(m.data, '$.number') AS number FROM events m, events t WHERE m.type = 'InvoiceIssued' AND t.type = 'InvoiceIssued' AND json_extract(t.data, '$.number') = 'T2024-0001' AND json_extract(m.data, '$.series') = 'M' AND json_extract(m.data, '$.buyer.orgnr') = json_extract(t.data, '$.buyer.orgnr')").get() as { number: string };
    db.close();
    expect((await f.run('payment', 'record', '--invoice', 'T2024-0001', '--amount', twice, '--date', '2024-02-01', '--reference', 'BG 10', '--overpayment')).code).toBe(0);
    expect((await f.run('payment', 'record', '--invoice', number, '--amount', twice, '--date', '2024-02-02', '--reference', 'BG 11', '--overpayment')).code).toBe(0);
    const third = await f.run('payment', 'record', '--invoice', number, '--amount', twice, '--date', '2024-02-03', '--reference', 'BG 12', '--overpayment');
    expect(third.code).toBe(2);
    expect(third.err).toContain('i tillgodo för 2024, mer än dubbla det som fakturerats');
    // The same amount in the bank's file is money received: recorded, the excess the member's credit.
    const bank = join(f.dir, 'bank.csv');
    writeFileSync(bank, `date,amount,reference\n2024-02-02,${twice},T2024-0001\n`);
    expect((await f.run('payment', 'import', bank)).code).toBe(0);
  });
});

describe('a year the books have nothing for', () => {
  test('given books of 2024–2025, when SIE or an audit package of 2030 or 2022 is asked for, then it is refused in one line and no file or manifest is written', async () => {
    const f = await settledYear();
    for (const year of ['2030', '2022']) {
      const sie = await f.run('export', 'sie', '--year', year, '--out', join(f.dir, `x-${year}.se`));
      expect([sie.code, sie.err]).toEqual([2, `samkost: bokföringen har inget för ${year}: den omfattar 2024–2025\n`]);
      expect(existsSync(join(f.dir, `x-${year}.se`))).toBe(false);
      const audit = await f.run('export', 'audit', '--year', year, '--out', join(f.dir, `a-${year}`));
      expect([audit.code, audit.err]).toEqual([2, `samkost: bokföringen har inget för ${year}: den omfattar 2024–2025\n`]);
      expect(existsSync(join(f.dir, `a-${year}`, 'manifest.json'))).toBe(false);
    }
    expect((await f.run('export', 'sie', '--year', '2025', '--out', join(f.dir, 'x-2025.se'))).code).toBe(0);
    // The current year has its opening balances before its first voucher: exported in March 2026, 2026 is a year of the books.
    expect((await cliOn(f.store, '2026-03-01T10:00:00Z')('export', 'sie', '--year', '2026', '--out', join(f.dir, 'x-2026.se'))).code).toBe(0);
  });
});

/** The billing fixture with opening balances recorded for `year` from a konto;belopp file. */
async function opened(year: string, rows: string) {
  const f = await billingFixture();
  const ib = join(f.dir, 'ib.csv');
  writeFileSync(ib, `konto;belopp\n${rows}`);
  expect((await f.run('ledger', 'opening', '--year', year, '--file', ib, '--reference', 'UB enligt Visma')).code).toBe(0);
  return f;
}

describe('opening balances stand for everything before their year', () => {
  test('given opening balances recorded for 2024, when a supplier cost dated in 2023 is recorded, then it is refused: its voucher would be counted on top of them', async () => {
    const f = await opened('2024', '1930;125 000,00\n2091;-125 000,00\n');
    const before = eventCount(f.store);
    const r = await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--supplier', 'L', '--reference', 'F-0', '--date', '2023-12-20');
    expect([r.code, r.err]).toEqual([2, 'samkost: cost.record egil 2024 F-0: daterad 2023-12-20, före bokföringens ingående balanser för 2024; det som hände före 2024 ingår i dem\n']);
    expect(eventCount(f.store)).toBe(before);
    expect((await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--supplier', 'L', '--reference', 'F-0', '--date', '2024-01-20')).code).toBe(0);
  });
});

describe('a settled year changed after its settlement, and next year waiting for SCB', () => {
  test('given a settled year whose a-conto invoice is credited after the settlement, then year close is refused until it is settled again', async () => {
    const f = await settledYear();
    expect((await f.run('invoice', 'credit', 'T2024-0005', '--reason', 'Fel', '--date', '2025-01-23')).code).toBe(0);
    const inMarch = cliOn(f.store, '2025-03-01T10:00:00Z');
    const before = eventCount(f.store);
    const close = await inMarch('year', 'close', '2024', '--date', '2025-02-15');
    expect(close.code).toBe(2);
    expect(close.err).toMatch(/^samkost: year\.close 2024: slutreglera igen: egil \([\d ]+,\d\d kr att fakturera\); utfallets fördelning och det fakturerade skiljer sig efter slutregleringen\n$/);
    expect(eventCount(f.store)).toBe(before);
    expect((await f.run('settle', '--service', 'egil', '--year', '2024', '--date', '2025-01-25')).code).toBe(0);
    expect((await inMarch('year', 'close', '2024', '--date', '2025-02-15')).code).toBe(0);
  });

  test('given a settled year in which an enrolment is ended back after the settlement, then the service nets to zero but members are owed and owe: the close is refused, naming both', async () => {
    const f = await settledYear();
    expect((await f.run('enrolment', 'end', '--service', 'egil', '--enrolment', '212000-1124-2024-04-15', '--to', '2024-06-30')).code).toBe(0);
    const close = await cliOn(f.store, '2025-03-01T10:00:00Z')('year', 'close', '2024', '--date', '2025-02-15');
    expect(close.code).toBe(2);
    expect(close.err).toMatch(/^samkost: year\.close 2024: slutreglera igen: egil \([\d ]+,\d\d kr att fakturera, [\d ]+,\d\d kr att kreditera\)/);
  });

  test("given next year's budget and a supplier cost recorded before SCB's year-end figures, then verify passes, next year's books are built and the self-cost report says what the settlement waits for", async () => {
    const f = await settledYear();
    expect((await f.run('budget', 'decide', '--service', 'egil', '--year', '2025', '--line', 'Drift=1300000.00', '--decided-on', '2024-11-15', '--minutes', 'FR §9')).code).toBe(0);
    expect((await f.run('cost', 'record', '--service', 'egil', '--year', '2025', '--amount', '100000.00', '--supplier', 'L', '--reference', 'F-9', '--date', '2025-01-31')).code).toBe(0);
    const v = await f.run('verify');
    expect(v.out).toContain('2 kan inte beräknas än och är inte fakturerade: egil 2025 budget, egil 2025 utfall');
    expect(v.code).toBe(0);
    expect((await f.run('ledger', '--year', '2025', '--part', 'trial')).code).toBe(0);
    const sc = await f.run('selfcost', '--year', '2025');
    expect(sc.out).toContain('Kvar att slutreglera med deltagarna: kan inte räknas ut än (ingen befolkningstabell för 2024 finns registrerad');
  });
});

describe("an a-conto line's basis (rules 5)", () => {
  test('given Malmö entering in April, then Stockholm\'s first-quarter line names the quarter\'s denominator, not the year\'s', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const db = new Database(f.store, { readonly: true });
    const bases = (db.prepare("SELECT json_extract(l.value, '$.provenance.basis') AS basis FROM events e, json_each(e.data, '$.lines') l WHERE e.type = 'InvoiceIssued' AND json_extract(l.value, '$.serviceId') = 'egil'").all() as { basis: string }[]).map((r) => r.basis);
    db.close();
    expect(bases).toContain('weight 4 of 6; population 900000; months 1, 2, 3');
    // The split of the year names both.
    const split = await f.json<{ participants: { name: string; basis: string }[] }>('split', '--service', 'egil', '--year', '2024');
    expect(split.participants.find((p) => p.name === 'Stockholms stad')?.basis).toBe('weight 4 of 6 (months 1–3), weight 4 of 7 (months 4–12)');
  });
});

describe('opening balances are where the books begin', () => {
  test('given opening balances for 2025, when 2024 is billed in January 2025, then IB 2025 is still exactly what was recorded, and 2024 has no books to export', async () => {
    const f = await opened('2025', '1930;125 000,00\n1510;15 000,00\n2061;-60 000,00\n2091;-70 000,00\n2972;-10 000,00\n');
    expect((await f.run('invoice', 'run', '--period', '2024', '--date', '2025-01-10')).code).toBe(0);
    const trial = await f.json<{ trial: { account: string; opening: string }[] }>('ledger', '--year', '2025', '--part', 'trial');
    const ibs = Object.fromEntries(trial.trial.filter((r) => r.opening !== '0.00').map((r) => [r.account, r.opening]));
    expect(ibs).toEqual({ 1930: '125000.00', 1510: '15000.00', 2061: '-60000.00', 2091: '-70000.00', 2972: '-10000.00' });
    const sie = await f.run('export', 'sie', '--year', '2024', '--out', join(f.dir, 'x.se'));
    expect([sie.code, sie.err]).toEqual([2, 'samkost: bokföringen har inget för 2024: den omfattar 2025\n']);
  });
});

describe('a text of a command is one line', () => {
  test('given a reason or a reference with a line break or another control character, then the command is refused naming the field, and nothing is stored', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const n = eventCount(f.store);
    const credit = await f.run('invoice', 'credit', 'T2024-0001', '--reason', 'Fel\nvikt', '--date', '2024-01-15');
    expect([credit.code, credit.err]).toEqual([2, 'samkost: invoice.credit: reason innehåller en radbrytning eller ett annat styrtecken; skriv texten på en rad\n']);
    const payment = await f.run('payment', 'record', '--invoice', 'M2024-0001', '--amount', '1.00', '--date', '2024-01-15', '--reference', 'BG\t1');
    expect([payment.code, payment.err]).toEqual([2, 'samkost: payment.record: reference innehåller en radbrytning eller ett annat styrtecken; skriv texten på en rad\n']);
    expect(eventCount(f.store)).toBe(n);
  });

  test('given a text of more than 1 000 characters (a member name of megabytes broke every read that printed it), then the command is refused naming the field and its length, and nothing is stored', async () => {
    const f = await billingFixture();
    const n = eventCount(f.store);
    const details = await f.run('member', 'details', '0180', '--reference', 'V'.repeat(3000), '--date', '2024-01-10');
    expect([details.code, details.err]).toEqual([2, 'samkost: member.details: invoiceReference är 3 000 tecken lång; högst 1 000 tecken\n']);
    expect((await f.run('member', 'details', '0180', '--reference', 'V'.repeat(1000), '--date', '2024-01-10')).code).toBe(0);
    expect(eventCount(f.store)).toBe(n + 1);
  });

  test('given a text holding a character XML 1.0 forbids (U+FFFE, U+FFFF, a lone surrogate), when it is given as a flag or in an apply line, then it is refused naming the field, and nothing is stored', async () => {
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const n = eventCount(f.store);
    // Stored, such a reason made every Peppol export of its credit note XML no receiver can read.
    for (const reason of ['Fel\ufffe', 'Fel\uffff']) {
      const credit = await f.run('invoice', 'credit', 'T2024-0001', '--reason', reason, '--date', '2024-01-15');
      expect([credit.code, credit.err]).toEqual([2, 'samkost: invoice.credit: reason innehåller en radbrytning eller ett annat styrtecken; skriv texten på en rad\n']);
    }
    // A shell cannot pass a lone surrogate, but JSON can ("\ud800"), in an apply line or an HTTP body.
    for (const reason of ['Fel\ud800', '\udc00Fel']) {
      const file = join(f.dir, 'credit.ndjson');
      writeFileSync(file, `${JSON.stringify({ type: 'invoice.credit', invoice: 'T2024-0001', reason, issueDate: '2024-01-15' })}\n`);
      const applied = await f.run('apply', file);
      expect([applied.code, applied.err]).toEqual([2, expect.stringContaining('invoice.credit: reason innehåller en radbrytning eller ett annat styrtecken')]);
    }
    expect(eventCount(f.store)).toBe(n);
    // A character outside the Basic Multilingual Plane (its surrogates paired) is text like any other.
    expect((await f.run('invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel 𝄞', '--date', '2024-01-15')).code).toBe(0);
  });
});
