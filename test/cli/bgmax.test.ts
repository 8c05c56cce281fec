import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import Decimal from 'decimal.js';
import { formatSek } from '../../domain/money';
import { ocrOf } from '../../domain/ocr';
import { parseBgMax } from '../../src/bank/bgmax';
import { billingFixture } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

/** One 80-character BgMax record: its transaction code, and each field at its 1-based position. */
function record(code: string, fields: [number, string][]): string {
  const chars = Array.from({ length: 80 }, () => ' ');
  chars[0] = code[0];
  chars[1] = code[1];
  for (const [at, text] of fields) for (let i = 0; i < text.length; i++) chars[at - 1 + i] = text[i];
  return chars.join('');
}

const digits = (n: number | string, width: number) => String(n).padStart(width, '0');

interface Paid { reference: string; ore: number; serial: number; name?: string }

/** A BgMax file of one section to bankgiro 5050-1055, deposited on `date` (YYYYMMDD). */
function bgmax(payments: Paid[], opts: { date?: string; marker?: string; receiver?: string; depositOre?: number; endCount?: number; extra?: string[] } = {}): string {
  const total = payments.reduce((a, p) => a + p.ore, 0);
  const lines = [
    record('01', [[3, 'BGMAX'], [23, '01'], [25, '20240205061512345678'], [45, opts.marker ?? 'P']]),
    record('05', [[3, digits(opts.receiver ?? '50501055', 10)], [23, 'SEK']]),
    ...payments.flatMap((p) => [
      record('20', [[3, digits('9912346', 10)], [13, p.reference], [38, digits(p.ore, 18)], [56, '2'], [57, '1'], [58, digits(p.serial, 12)], [70, '0']]),
      ...(p.name ? [record('26', [[3, p.name]])] : []),
    ]),
    ...(opts.extra ?? []),
    record('15', [[3, digits('1234567890', 35)], [38, opts.date ?? '20240205'], [46, '00001'], [51, digits(opts.depositOre ?? total, 18)], [69, 'SEK'], [72, digits(payments.length, 8)]]),
    record('70', [[3, digits(opts.endCount ?? payments.length, 8)], [11, digits(0, 8)], [19, digits(0, 8)], [27, digits(1, 8)]]),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** The billing fixture's Q1 run, and the CLI on its store with the association's bankgiro configured. */
async function billed() {
  const f = await billingFixture();
  expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
  const config = join(f.dir, 'samkost.config.json');
  writeFileSync(config, JSON.stringify({ seller: { orgnr: '802428-2090', name: 'Föreningen Sambruk', vatNumber: 'SE802428209001', bankgiro: '5050-1055' } }));
  const run = cliOn(f.store, '2024-02-06T09:00:00Z', { SAMKOST_CONFIG: config });
  const file = (name: string, text: string) => {
    const path = join(f.dir, name);
    writeFileSync(path, iconv.encode(text, 'latin1'));
    return path;
  };
  return { f, run, file };
}

describe('payment import of a BgMax file from Bankgirot', () => {
  test('given payments by OCR number, then each is recorded against its invoice on the deposit date, with Bankgirot\'s serial as the bank reference, once however often imported', async () => {
    const { f, run, file } = await billed();
    const path = file('bgmax.txt', bgmax([
      { reference: ocrOf('M2024-0001') as string, ore: 1000000, serial: 42, name: 'Stockholms stad, Ekonomiförvaltningen' },
      { reference: 'T2024-0002', ore: 250050, serial: 43 },
    ]));
    expect(await run('payment', 'import', path)).toMatchObject({ code: 0, err: '' });
    const events = JSON.parse((await run('--json', 'events', '--stream', 'billing-2024')).out) as { type: string; data: unknown }[];
    expect(events.filter((e) => e.type === 'PaymentRecorded').map((e) => e.data)).toEqual([
      { invoice: 'M2024-0001', amount: '10000.00', date: '2024-02-05', reference: 'BGC 000000000042', fromBank: true },
      { invoice: 'T2024-0002', amount: '2500.50', date: '2024-02-05', reference: 'BGC 000000000043', fromBank: true },
    ]);
    const before = eventCount(f.store);
    expect((await run('payment', 'import', path)).code).toBe(0);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a payment typed by hand and then the bank file with it (another reference, so another id), then the bank row is taken for that payment: reported, not recorded twice, however often imported', async () => {
    const { f, run, file } = await billed();
    const m = JSON.parse((await run('--json', 'invoice', 'show', 'M2024-0001')).out) as { total: string };
    const half = new Decimal(m.total).div(2).toFixed(2);
    // A part payment, so that recording the bank row again would not even overpay.
    expect((await run('payment', 'record', '--invoice', ocrOf('M2024-0001') as string, '--amount', half, '--date', '2024-02-05', '--reference', 'kontoutdrag 5/2')).code).toBe(0);
    const before = eventCount(f.store);
    const path = file('bgmax.txt', bgmax([{ reference: ocrOf('M2024-0001') as string, ore: Math.round(Number(half) * 100), serial: 42 }, { reference: 'T2024-0002', ore: 100, serial: 43 }]));
    for (let i = 0; i < 2; i++) {
      const r = await run('payment', 'import', path);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`M2024-0001: ${formatSek(new Decimal(half))} 2024-02-05 (rad 3) är redan registrerad för hand med referensen kontoutdrag 5/2; inte registrerad igen\n`);
      expect(eventCount(f.store)).toBe(before + 1);
    }
  });

  test('given two bank files each with a payment of the same amount and day (two serials), then both are recorded, the second reported as an overpayment', async () => {
    const { f, run, file } = await billed();
    const m = JSON.parse((await run('--json', 'invoice', 'show', 'M2024-0001')).out) as { total: string };
    const ore = Math.round(Number(m.total) * 100);
    const before = eventCount(f.store);
    expect((await run('payment', 'import', file('first.txt', bgmax([{ reference: ocrOf('M2024-0001') as string, ore, serial: 1 }])))).code).toBe(0);
    const second = await run('payment', 'import', file('second.txt', bgmax([{ reference: ocrOf('M2024-0001') as string, ore, serial: 2 }])));
    expect(second.code).toBe(0);
    expect(second.out).toContain('M2024-0001: överbetald med');
    expect(eventCount(f.store)).toBe(before + 2);
  });

  test('given the same payment with its amount written three ways, then it is one payment, recorded with two decimals', async () => {
    const { f, run } = await billed();
    const pay = (amount: string) => run('payment', 'record', '--invoice', 'M2024-0001', '--amount', amount, '--date', '2024-02-05', '--reference', 'BG 42');
    expect((await pay('1000')).code).toBe(0);
    const before = eventCount(f.store);
    expect((await pay('1000.0')).code).toBe(0);
    expect((await pay('1000.00')).code).toBe(0);
    expect(eventCount(f.store)).toBe(before);
    const events = JSON.parse((await run('--json', 'events', '--stream', 'billing-2024')).out) as { type: string; data: { amount: string } }[];
    expect(events.filter((e) => e.type === 'PaymentRecorded').map((e) => e.data.amount)).toEqual(['1000.00']);
  });

  test.each([
    ['a deposit that is not the sum of its payments', { depositOre: 999 }, 'rad 4: insättningen är 9,99 kr men avsnittets betalningar summerar till 10 000,00 kr'],
    ['an end record counting other payments than the file holds (a cut-off file)', { endCount: 2 }, 'slutposten anger 2 betalningsposter, filen har 1: den är inte hel'],
    ['a test file', { marker: 'T' }, 'en testfil från Bankgirot (märkt T, inte P)'],
    ['payments to another bankgiro', { receiver: '9912346' }, 'betalningarna gick till bankgiro 991-2346, inte föreningens 5050-1055'],
    ['a deduction', { extra: [record('21', [[3, digits('9912346', 10)], [38, digits(100, 18)]])] }, 'rad 4: en avdragspost (21); avdrag registreras inte ur fil, utan för hand'],
  ])('given %s, then the file is refused in one line and nothing is recorded', async (_what, opts, message) => {
    const { f, run, file } = await billed();
    const path = file('bgmax.txt', bgmax([{ reference: ocrOf('M2024-0001') as string, ore: 1000000, serial: 42 }], opts));
    const before = eventCount(f.store);
    const r = await run('payment', 'import', path);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`samkost: ${path}: ${message}`);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(eventCount(f.store)).toBe(before);
  });

  test('given a payment whose reference is no invoice, or a mistyped OCR, then the file is refused naming its line, and nothing is recorded', async () => {
    const { f, run, file } = await billed();
    const before = eventCount(f.store);
    const typo = `${(ocrOf('T2024-0002') as string).slice(0, -1)}0`;
    const path = file('bgmax.txt', bgmax([{ reference: ocrOf('M2024-0001') as string, ore: 100, serial: 1 }, { reference: typo, ore: 100, serial: 2 }]));
    const r = await run('payment', 'import', path);
    expect(r).toMatchObject({ code: 2, err: `samkost: ${path} rad 4: payment.record: invoice: ogiltigt OCR-nummer "${typo}": kontrollsiffran stämmer inte (felskrivet?)\n` });
    const unknown = file('unknown.txt', bgmax([{ reference: 'M2099-0001', ore: 100, serial: 3 }]));
    expect((await run('payment', 'import', unknown)).err).toBe(`samkost: ${unknown} rad 3: okänd faktura M2099-0001\n`);
    expect(eventCount(f.store)).toBe(before);
  });
});

describe('parseBgMax', () => {
  test('a record longer than 80 characters, or a file without its end record, is refused; trailing spaces lost in transit are not missed', () => {
    const text = bgmax([{ reference: '1', ore: 1, serial: 1 }]);
    const lines = text.split('\r\n');
    expect(() => parseBgMax(lines.map((l, i) => (i === 2 ? `${l}x` : l)).join('\n'))).toThrow('rad 3: en BgMax-post har 80 tecken, inte 81');
    expect(() => parseBgMax(lines.slice(0, 4).join('\n'))).toThrow('filen saknar slutpost (70): den är inte hel');
    expect(parseBgMax(lines.map((l) => l.trimEnd()).join('\n'))).toEqual(parseBgMax(text));
  });

  test("the start, opening and payment records of Bankgirot's example file (an OCR reference right-aligned, trailing spaces cut), closed by a deposit and an end record of ours, read as the specification gives them", () => {
    const file = [
      '01BGMAX               0120040525173035010331P',
      '050009912346          SEK',
      '200003783511                   655968000000000000100000220000000000100',
      '15000000000000000000058410000010098232004052500001000000000000100000SEK00000001',
      '7000000001000000000000000000000001',
    ].join('\n');
    expect(parseBgMax(file)).toEqual({
      marker: 'P', receivers: ['991-2346'],
      payments: [{ reference: '655968', referenceCode: '2', amount: '1000.00', date: '2004-05-25', serial: '000000000010', line: 3 }],
    });
  });

  test('Latin-1 names in information records are read past, and the file as a whole is as written', () => {
    const parsed = parseBgMax(iconv.decode(iconv.encode(bgmax([{ reference: 'T2024-0001', ore: 12345, serial: 7, name: 'Örebro kommun' }], { date: '20240229' }), 'latin1'), 'latin1'));
    expect(parsed).toEqual({ marker: 'P', receivers: ['5050-1055'], payments: [{ reference: 'T2024-0001', referenceCode: '2', amount: '123.45', date: '2024-02-29', serial: '000000000007', line: 3 }] });
  });
});

