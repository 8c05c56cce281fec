import Decimal from 'decimal.js';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cp437Text, encodeSie, readSie, SieDocument, SieError, writeSie } from '../../src/export/sie';
import { billingFixture } from '../support/billing-fixture';

const d = (s: string): Decimal => new Decimal(s);

const COMPANY = 'Samverkansförbundet Åsele Älvdalen Örnsköldsvik';

function exportDoc(): SieDocument {
  return {
    type: '4E',
    program: { name: 'samkost', version: '0.1.0' },
    generated: '2024-02-05',
    company: { name: COMPANY, orgnr: '212000-0142' },
    fiscalYear: { start: '2024-01-01', end: '2024-12-31' },
    chartType: 'BAS2014',
    accounts: [
      { number: '1510', name: 'Kundfordringar', type: 'T' },
      { number: '1930', name: 'Företagskonto', type: 'T' },
      { number: '2611', name: 'Utgående moms 25 %', type: 'S' },
      { number: '3001', name: 'Försäljning tjänster, Café Åre', type: 'I' },
      { number: '8999', name: 'Årets resultat' },
    ],
    openingBalances: [{ account: '1930', amount: d('10000.00') }],
    closingBalances: [
      { account: '1930', amount: d('10000.00') },
      { account: '1510', amount: d('1250.00') },
      { account: '2611', amount: d('-250.00') },
    ],
    results: [{ account: '3001', amount: d('-1000.00') }],
    vouchers: [
      {
        series: 'A',
        number: '1',
        date: '2024-01-31',
        text: 'Faktura 10001 Östra Göinge',
        transactions: [
          { account: '1510', amount: d('1250.00') },
          { account: '3001', amount: d('-1000.00'), text: 'Driftkostnad januari' },
          { account: '2611', amount: d('-250.00') },
        ],
      },
      {
        series: 'A',
        number: '2',
        date: '2024-02-01',
        text: 'Kreditfaktura 10002',
        transactions: [
          { account: '1510', amount: d('-12.50') },
          { account: '3001', amount: d('10') },
          { account: '2611', amount: d('2.5') },
        ],
      },
    ],
  };
}

function importDoc(): SieDocument {
  const doc = exportDoc();
  return {
    ...doc,
    type: '4I',
    openingBalances: undefined,
    closingBalances: undefined,
    results: undefined,
  };
}

/** Decimals compared by value: 10 and 10.00 are the same amount. */
function plain(value: unknown): unknown {
  if (value instanceof Decimal) return value.toFixed(2);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

function catchSie(fn: () => unknown): SieError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SieError) return err;
    throw err;
  }
  throw new Error('expected a SieError');
}

const bytesOf = (lines: string[]): Buffer => iconv.encode(lines.join('\r\n') + '\r\n', 'cp437');

describe('writeSie', () => {
  it('writes the records in the specified order with CRLF line endings', () => {
    // given a 4E document
    const doc = exportDoc();

    // when it is written
    const text = writeSie(doc);

    // then the header, chart, balances and the voucher block look as the spec shows them
    const lines = text.split('\r\n');
    expect(lines.slice(0, 11)).toEqual([
      '#FLAGGA 0',
      '#PROGRAM "samkost" 0.1.0',
      '#FORMAT PC8',
      '#GEN 20240205',
      '#SIETYP 4',
      `#FNAMN "${COMPANY}"`,
      '#ORGNR 212000-0142',
      '#RAR 0 20240101 20241231',
      '#KPTYP BAS2014',
      '#KONTO 1510 "Kundfordringar"',
      '#KTYP 1510 T',
    ]);
    expect(text).toContain('#KONTO 8999 "Årets resultat"\r\n#IB 0 1930 10000.00\r\n#UB 0 1930 10000.00\r\n');
    expect(text).toContain('#RES 0 3001 -1000.00\r\n');
    expect(text).toContain(
      [
        '#VER "A" "1" 20240131 "Faktura 10001 Östra Göinge"',
        '{',
        '   #TRANS 1510 {} 1250.00',
        '   #TRANS 3001 {} -1000.00 "" "Driftkostnad januari"',
        '   #TRANS 2611 {} -250.00',
        '}',
      ].join('\r\n'),
    );
    expect(text).toContain('   #TRANS 3001 {} 10.00\r\n   #TRANS 2611 {} 2.50\r\n');
    expect(text.endsWith('}\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('defaults #KPTYP to BAS2014 and writes no balances for 4I', () => {
    // given a 4I document without a chart type
    const doc = { ...importDoc(), chartType: undefined };

    // when it is written
    const text = writeSie(doc);

    // then
    expect(text).toContain('#KPTYP BAS2014\r\n');
    expect(text).not.toMatch(/^#(IB|UB|RES) /m);
  });

  it('every #VER block sums to zero', () => {
    // given the written 4E document
    const lines = writeSie(exportDoc()).split('\r\n');

    // when the #TRANS amounts are summed per voucher
    const sums: string[] = [];
    let current: Decimal | undefined;
    for (const line of lines) {
      if (line.startsWith('#VER')) current = new Decimal(0);
      const m = /^\s*#TRANS \d+ \{\} (-?\d+\.\d{2})/.exec(line);
      if (m && current) current = current.plus(m[1]);
      if (line === '}' && current) sums.push(current.toFixed(2));
    }

    // then each is zero
    expect(sums).toEqual(['0.00', '0.00']);
  });

  it('throws naming the voucher when it does not balance', () => {
    // given voucher A 2 off by one öre
    const doc = exportDoc();
    doc.vouchers[1].transactions[0].amount = d('-12.49');

    // when / then
    const err = catchSie(() => writeSie(doc));
    expect(err.message).toMatch(/verifikation A 2 balanserar inte/);
    expect(err.message).toMatch(/0\.01/);
  });

  it('throws when a transaction uses an account not in the chart', () => {
    // given a transaction on 1910, which is not in accounts
    const doc = exportDoc();
    doc.vouchers[0].transactions[0].account = '1910';

    // when / then
    expect(() => writeSie(doc)).toThrow(SieError);
    expect(() => writeSie(doc)).toThrow(/konto 1910 finns inte i kontoplanen/);
  });

  it('throws on balances in a 4I file, amounts below öre and bad dates', () => {
    // given three broken documents
    const withBalances = { ...importDoc(), openingBalances: [{ account: '1930', amount: d('1') }] };
    const subOre = exportDoc();
    subOre.vouchers[0].transactions[0].amount = d('1250.005');
    subOre.vouchers[0].transactions[1].amount = d('-1000.005');
    subOre.vouchers[0].transactions[2].amount = d('-250');
    const badDate = { ...exportDoc(), generated: '2024-02-30' };

    // when / then
    expect(() => writeSie(withBalances)).toThrow(/#IB får bara finnas i en 4E-fil/);
    expect(() => writeSie(subOre)).toThrow(/inte ett helt antal öre/);
    expect(() => writeSie(badDate)).toThrow(/filens skapandedatum är inte ett datum ÅÅÅÅ-MM-DD/);
  });
});

describe('quoting', () => {
  it('escapes a quote as \\" and round-trips texts with spaces and quotes', () => {
    // given texts with spaces, quotes and a backslash in the middle
    const doc = exportDoc();
    doc.vouchers[0].text = 'Faktura "Vatten & avlopp" 2024';
    doc.vouchers[0].transactions[0].text = 'Rad "1" C:\\temp';
    doc.company.name = 'Förbundet "Norr"';
    doc.program.version = '1.0 beta';

    // when written and read back
    const text = writeSie(doc);
    const back = readSie(encodeSie(text));

    // then the file escapes them and the reader restores them
    expect(text).toContain('#VER "A" "1" 20240131 "Faktura \\"Vatten & avlopp\\" 2024"');
    expect(text).toContain('#PROGRAM "samkost" "1.0 beta"');
    expect(back.vouchers[0].text).toBe('Faktura "Vatten & avlopp" 2024');
    expect(back.vouchers[0].transactions[0].text).toBe('Rad "1" C:\\temp');
    expect(back.company.name).toBe('Förbundet "Norr"');
    expect(back.program.version).toBe('1.0 beta');
  });

  it('writes an empty text as "", a control character as a space and a closing backslash with a space after it: no free text stops the export', () => {
    // given an empty voucher text, a control character and a trailing backslash
    const empty = exportDoc();
    empty.vouchers[0].text = '';
    const control = exportDoc();
    control.vouchers[0].text = 'rad ett\nrad två';
    const backslash = exportDoc();
    backslash.accounts[0].name = 'Kund\\';

    // when / then
    expect(writeSie(empty)).toContain('#VER "A" "1" 20240131 ""\r\n');
    expect(readSie(encodeSie(writeSie(empty))).vouchers[0].text).toBe('');
    expect(readSie(encodeSie(writeSie(control))).vouchers[0].text).toBe('rad ett rad två');
    expect(writeSie(backslash)).toContain('"Kund\\ "');
    expect(readSie(encodeSie(writeSie(backslash))).accounts[0].name).toBe('Kund\\ ');
  });
});

describe('encodeSie', () => {
  it('encodes as codepage 437', () => {
    // given a written file with Å, Ä, Ö, å, ä, ö, é
    const text = writeSie(exportDoc());

    // when encoded
    const bytes = encodeSie(text);

    // then one byte per character, Ä is 0x8E and å is 0x86, and it decodes back
    expect(bytes.length).toBe(text.length);
    expect(bytes[text.indexOf('Ä')]).toBe(0x8e);
    expect(bytes[text.indexOf('å')]).toBe(0x86);
    expect(bytes[text.indexOf('Ö')]).toBe(0x99);
    expect(bytes[text.indexOf('é')]).toBe(0x82);
    expect(iconv.decode(bytes, 'cp437')).toBe(text);
  });

  it.each(['€', '✓', '–'])('throws on %s, which CP437 lacks, with its line, in text that did not come from writeSie', (ch) => {
    // given a file whose company name has the character (writeSie would have transliterated it)
    const text = writeSie(exportDoc()).replace(COMPANY, `Förbundet ${ch}`);

    // when / then
    const err = catchSie(() => encodeSie(text));
    expect(err.message).toContain(ch);
    expect(err.message).toMatch(/^rad 6 i SIE-filen: tecknet ".*" \(U\+[0-9A-F]{4}\) finns inte i teckentabell 437, som SIE använder$/);
    expect(err.line).toBe(6);
  });
});

describe('text fields in codepage 437: transliterated, never refused', () => {
  /** The voucher text as the file holds it: the written bytes decoded as CP437, and as readSie reads it back. */
  function written(text: string): { line: string; read: string } {
    const doc = exportDoc();
    doc.vouchers[0].text = text;
    const bytes = encodeSie(writeSie(doc));
    const line = iconv.decode(bytes, 'cp437').split('\r\n').find((l) => l.startsWith('#VER "A" "1" '))!;
    return { line: line.replace('#VER "A" "1" 20240131 ', ''), read: readSie(bytes).vouchers[0].text };
  }

  it.each([
    ['the euro sign as EUR', 'Pris 5 €', 'Pris 5 EUR'],
    ['typographic double quotes as "', '\u201CVatten\u201D och \u201Eavlopp\u201F', '"Vatten" och "avlopp"'],
    ["typographic single quotes as '", '\u2018Norr\u2019 och kvartalet\u2019s', "'Norr' och kvartalet's"],
    ['en and em dashes, a minus sign and a hyphen as -', 'jan\u2013mar \u2014 \u22125 \u2010 slut', 'jan-mar - -5 - slut'],
    ['non-breaking, narrow and other Unicode spaces as a space', 'Pris\u00A01\u202F000\u2009kr\u2003netto', 'Pris 1 000 kr netto'],
    ['the ellipsis as ...', 'och så vidare\u2026', 'och så vidare...'],
    // ó and á are in CP437 and stay; ł, ź, ř, č, ø, đ are not.
    ['letters with diacritics CP437 lacks as their base letter', 'Łódź, Dvořák, Čačak, Søren, Đorđe, Ærø', 'Lódz, Dvorák, Cacak, Soren, Dorde, Æro'],
    ['compatibility forms by NFKD', '\uFB01l \u2122 \uFF21\uFF22', 'fil TM AB'],
    ['decomposed å ä ö composed first, so they stay å ä ö', 'A\u030Asele a\u0308lv o\u0308', 'Åsele älv ö'],
    ['invisible format characters (soft hyphen, zero-width space) dropped', 'Öster\u00ADsund\u200B', 'Östersund'],
    ['anything else CP437 cannot hold as ?', 'Kaffe \u2615 \u4E2D \u{1F600} \u05D0', 'Kaffe ? ? ? ?'],
    // § is at 0x15 in CP437, a control byte SIE forbids: "par." (paragraf, paragrafer), never "?".
    ['the section sign as par.', 'Avtal §4, Styrelsen 2024-03-12 § 7, 3 kap. 2 §', 'Avtal par.4, Styrelsen 2024-03-12 par. 7, 3 kap. 2 par.'],
    ['two section signs (paragrafer) as one par.', 'Avtal §§ 4-6', 'Avtal par. 4-6'],
    ['the multiplication sign as x', '2 × 500 kr', '2 x 500 kr'],
    ['the not-equal sign as <>, not the = NFKD would leave', 'utfall \u2260 budget', 'utfall <> budget'],
    ['a fraction CP437 lacks with a plain slash', 'tre\u00BE', 'tre3/4'],
    ["an acute accent typed for an apostrophe as '", 'Region\u00B4s', "Region's"],
    ['arrows, a bullet, ©, ® and œ in ASCII', '\u2022 jan \u2192 mar \u2190 \u00A9 \u00AE c\u0153ur', '* jan -> mar <- (c) (R) coeur'],
  ])('writes %s', (_what, text, expected) => {
    const { line, read } = written(text);
    expect(read).toBe(expected);
    expect(line).toBe(`"${expected.replace(/"/g, '\\"')}"`);
  });

  it('keeps every letter CP437 has: å ä ö Å Ä Ö é ü ß and the rest of Swedish and German', () => {
    const text = 'Åsele Älvdalen Örnsköldsvik å ä ö é è ü Ü ñ ç ß æ Æ £ ½ « »';
    expect(written(text)).toEqual({ line: `"${text}"`, read: text });
  });

  it('transliterates every text field: company, account names, voucher and transaction texts, program', () => {
    // given a document with € in each of its text fields
    const doc = exportDoc();
    doc.company.name = 'Förbundet € \u2013 Norr';
    doc.accounts[0].name = 'Kundfordringar €';
    doc.vouchers[0].transactions[1].text = 'Drift \u201Cjan\u201D';
    doc.program = { name: 'samkost\u2122', version: '1.0\u00A0beta' };

    // when written and encoded, then nothing is refused and the file says it in CP437
    const back = readSie(encodeSie(writeSie(doc)));
    expect(back.company.name).toBe('Förbundet EUR - Norr');
    expect(back.accounts[0].name).toBe('Kundfordringar EUR');
    expect(back.vouchers[0].transactions[1].text).toBe('Drift "jan"');
    expect(back.program).toEqual({ name: 'samkostTM', version: '1.0 beta' });
  });

  it('given any text without control characters, the document is written and encoded', () => {
    const unit = fc.oneof(fc.string({ unit: 'binary', maxLength: 1 }), fc.constantFrom('€', '\u2013', '\u00A0', '\uD800', '\uDFFF', '\u0301', '"', 'å'));
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }).map((a) => a.join('')), (raw) => {
      // Control characters are refused by name (the spec forbids them); a trailing backslash would swallow the closing quote.
      const text = [...raw].filter((c) => c >= ' ' && c !== '\u007f').join('');
      fc.pre(!cp437Text(text).endsWith('\\'));
      const doc = exportDoc();
      doc.vouchers[0].text = text;
      doc.accounts[0].name = text;
      const bytes = encodeSie(writeSie(doc));
      expect(readSie(bytes).vouchers[0].text).toBe(readSie(bytes).accounts[0].name);
    }), { numRuns: 200 });
  });

  it('writes a credit note whose reason has € into the year\'s file, where it used to stop the export', async () => {
    // given a credit note stored with a reason CP437 cannot hold
    const f = await billingFixture();
    expect((await f.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).code).toBe(0);
    const credit = await f.run('invoice', 'credit', 'T2024-0001', '--reason', 'Pris 5 € \u201Cfel\u201D', '--date', '2024-02-01');
    expect(credit.code).toBe(0);

    // when the year is exported
    const out = join(f.dir, 'x.se');
    const r = await f.run('export', 'sie', '--year', '2024', '--out', out);

    // then it is written, and the reason reads in CP437 as its look-alike
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/teckentabell/);
    const text = iconv.decode(readFileSync(out), 'cp437');
    expect(text).toContain('Pris 5 EUR \\"fel\\"');
    expect(text).not.toContain('?');
  }, 60_000);
});

describe('a decision reference with § in the year\'s SIE file', () => {
  it('given a supplier invoice whose reference has §, when the year is exported, then its voucher text says par. rather than ?', async () => {
    // given a cost recorded under a contract reference with §, as nearly every Swedish decision reference has
    const f = await billingFixture();
    const cost = await f.run('cost', 'record', '--service', 'egil', '--year', '2024', '--amount', '1000.00', '--supplier', 'Konsult AB', '--reference', 'Avtal §4', '--date', '2024-12-31');
    expect(cost.code).toBe(0);

    // when the year is exported
    const out = join(f.dir, 'x.se');
    const r = await f.run('export', 'sie', '--year', '2024', '--type', '4I', '--out', out);

    // then the voucher reads "Avtal par.4", and nothing in the file is a ?
    expect(r.code).toBe(0);
    const text = iconv.decode(readFileSync(out), 'cp437');
    expect(text).toMatch(/^#VER "L" "1" 20241231 "Leverantörsfaktura Konsult AB Avtal par\.4 \(EGIL 2024\)"\r$/m);
    expect(text).not.toContain('?');
  }, 60_000);
});

describe('readSie', () => {
  it('reads a 4E file back to the same document', () => {
    // given a written and encoded 4E document
    const doc = exportDoc();
    const bytes = encodeSie(writeSie(doc));

    // when read
    const back = readSie(bytes);

    // then accounts, balances, vouchers and the ÅÄÖ company name come back
    expect(back.type).toBe('4E');
    expect(back.company.name).toBe(COMPANY);
    expect(plain(back)).toEqual(plain(doc));
    expect(back.vouchers[1].transactions[1].amount.equals(d('10.00'))).toBe(true);
    expect(back.closingBalances?.[2].amount.equals(d('-250'))).toBe(true);
  });

  it('reads a 4I file back to the same document', () => {
    // given a written and encoded 4I document
    const doc = importDoc();

    // when read
    const back = readSie(encodeSie(writeSie(doc)));

    // then
    expect(back.type).toBe('4I');
    expect(back.openingBalances).toBeUndefined();
    expect(plain(back)).toEqual(plain(doc));
  });

  it('accepts LF, blank lines, tabs, unknown records and year -1', () => {
    // given a hand-written file in a looser style
    const bytes = iconv.encode(
      [
        '#FLAGGA 0',
        '#PROGRAM "Annat program" "2.1"',
        '#FORMAT PC8',
        '#GEN 20240105 "Kalle"',
        '#SIETYP 4',
        '#FNAMN "Kommunalförbundet Öst"',
        '#ORGNR 222000-1234',
        '#ADRESS "Anna" "Gatan 1" "123 45 Åby" "010-123"',
        '#RAR 0 20240101 20241231',
        '#RAR -1 20230101 20231231',
        '',
        '#KONTO\t1930\t"Bank"',
        '#KONTO 3001 "Intäkter"',
        '#KTYP 3001 I',
        '#IB -1 1930 5.00',
        '#UB 0 1930 100',
        '#VER A 7 20240110 "Insättning" 20240111',
        '{',
        '  #TRANS 1930 {1 "Kst 1"} 100 20240110 "från kund"',
        '  #BTRANS 1930 {} 90',
        '  #TRANS 3001 {} -100.00',
        '}',
        '',
      ].join('\n'),
      'cp437',
    );

    // when read
    const doc = readSie(bytes);

    // then
    expect(doc.type).toBe('4E');
    expect(doc.program).toEqual({ name: 'Annat program', version: '2.1' });
    expect(doc.generated).toBe('2024-01-05');
    expect(doc.company).toEqual({ name: 'Kommunalförbundet Öst', orgnr: '222000-1234' });
    expect(doc.fiscalYear).toEqual({ start: '2024-01-01', end: '2024-12-31' });
    expect(doc.chartType).toBeUndefined();
    expect(doc.accounts).toEqual([{ number: '1930', name: 'Bank' }, { number: '3001', name: 'Intäkter', type: 'I' }]);
    expect(doc.openingBalances).toEqual([]);
    expect(plain(doc)).toMatchObject({
      closingBalances: [{ account: '1930', amount: '100.00' }],
      vouchers: [
        {
          series: 'A',
          number: '7',
          date: '2024-01-10',
          text: 'Insättning',
          transactions: [
            { account: '1930', amount: '100.00', text: 'från kund' },
            { account: '3001', amount: '-100.00' },
          ],
        },
      ],
    });
  });

  const header = ['#FLAGGA 0', '#PROGRAM "x" 1', '#GEN 20240101', '#SIETYP 4', '#FNAMN "F"', '#ORGNR 212000-0142', '#RAR 0 20240101 20241231', '#KONTO 1930 "Bank"'];

  it.each<[string, string[], number, RegExp]>([
    ['an unterminated brace', ['#VER "A" "1" 20240110 "x"', '{', '#TRANS 1930 {} 1.00', '#TRANS 1930 {} -1.00'], 9, /no closing "}"/],
    ['a #VER inside an open voucher', ['#VER A 1 20240110 "x"', '{', '#TRANS 1930 {} 0.00', '#VER A 2 20240110 "y"'], 12, /#VER inside a voucher/],
    ['a #TRANS outside a voucher', ['#TRANS 1930 {} 1.00'], 9, /#TRANS outside a voucher/],
    ['a #VER without {', ['#VER A 1 20240110 "x"', '#TRANS 1930 {} 0.00'], 10, /expected "\{"/],
    ['a stray }', ['}'], 9, /without an open voucher/],
    ['an unterminated quote', ['#KONTO 3001 "Intäkter'], 9, /unterminated quoted field/],
    ['an unbalanced voucher', ['#VER A 1 20240110 "x"', '{', '#TRANS 1930 {} 1.00', '}'], 9, /voucher A 1 does not balance/],
    ['a bad amount', ['#VER A 1 20240110 "x"', '{', '#TRANS 1930 {} 1,00', '}'], 11, /not an amount: "1,00"/],
    ['a bad date', ['#VER A 1 20241310 "x"'], 9, /not a calendar date/],
    ['#TRANS without an object list', ['#VER A 1 20240110 "x"', '{', '#TRANS 1930 1.00 0', '}'], 11, /object list/],
  ])('throws on %s with the line number', (_name, body, line, message) => {
    // given a file with the fault
    const bytes = bytesOf([...header, ...body]);

    // when / then
    const err = catchSie(() => readSie(bytes));
    expect(err.line).toBe(line);
    expect(err.message).toMatch(new RegExp(`^line ${line}: `));
    expect(err.message).toMatch(message);
  });

  it('throws when a required record is missing', () => {
    // given a file without #FNAMN
    const bytes = bytesOf(header.filter((l) => !l.startsWith('#FNAMN')));

    // when / then
    expect(() => readSie(bytes)).toThrow(/no #FNAMN/);
  });
});
