import Decimal from 'decimal.js';
import { create } from 'xmlbuilder2';
import type { CreditNoteIssued, InvoiceIssued } from '../../domain/events/billing';
import { documentNote, peppolXml } from '../../src/export/peppol';
import { billingFixture } from '../support/billing-fixture';
import { eventCount } from '../support/cli';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The document as a plain object tree, namespaces stripped to their prefixes' local names. */
const parse = (xml: string) => create(xml).end({ format: 'object' }) as Record<string, unknown>;
const texts = (xml: string, element: string): string[] => [...xml.matchAll(new RegExp(`<${element}[^>]*>([^<]*)</${element}>`, 'g'))].map((m) => m[1]);
/** The order the elements appear in at the top level of the document. */
const topLevel = (xml: string, root: string): string[] => Object.keys(parse(xml)[root] as object).filter((k) => !k.startsWith('@'));

describe('samkost export peppol: Peppol BIS Billing 3.0 (UBL 2.1)', () => {
  let f: Awaited<ReturnType<typeof billingFixture>>;
  beforeAll(async () => {
    f = await billingFixture();
    for (const args of [
      ['invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15'],
      ['invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel vikt', '--date', '2024-02-01'],
    ]) {
      const r = await f.run(...args);
      if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
    }
  });

  test('a service invoice: header, parties by organisationsnummer (0007), category S at 25 %, totals that add up', async () => {
    const r = await f.run('export', 'peppol', 'T2024-0001');
    expect(r.code).toBe(0);
    const xml = r.out;
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/);
    expect(topLevel(xml, 'Invoice')).toEqual([
      'cbc:CustomizationID', 'cbc:ProfileID', 'cbc:ID', 'cbc:IssueDate', 'cbc:DueDate', 'cbc:InvoiceTypeCode', 'cbc:DocumentCurrencyCode', 'cbc:BuyerReference',
      'cac:InvoicePeriod', 'cac:AccountingSupplierParty', 'cac:AccountingCustomerParty', 'cac:TaxTotal', 'cac:LegalMonetaryTotal', 'cac:InvoiceLine',
    ]);
    // The supply period (BG-14): the run's period, as `invoice show` prints it.
    const { period } = await f.json<{ period: string }>('invoice', 'show', 'T2024-0001');
    const [start, end] = period === '2024' ? ['2024-01-01', '2024-12-31'] : period === '2024-Q1' ? ['2024-01-01', '2024-03-31'] : ['?', '?'];
    expect([texts(xml, 'cbc:StartDate'), texts(xml, 'cbc:EndDate')]).toEqual([[start], [end]]);
    expect(texts(xml, 'cbc:CustomizationID')).toEqual(['urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0']);
    expect(texts(xml, 'cbc:ProfileID')).toEqual(['urn:fdc:peppol.eu:2017:poacc:billing:01:1.0']);
    expect(texts(xml, 'cbc:InvoiceTypeCode')).toEqual(['380']);
    const stored = await f.json<{ total: string; lines: unknown[]; buyer: { orgnr: string }; seller: { orgnr: string } }>('invoice', 'show', 'T2024-0001');
    expect(texts(xml, 'cbc:EndpointID')).toEqual([stored.seller.orgnr, stored.buyer.orgnr].map((o) => o.replace('-', '')));
    expect(xml).toContain('<cbc:IdentificationCode>SE</cbc:IdentificationCode>');
    // Category S needs the seller's VAT number (BR-S-02).
    expect(texts(xml, 'cbc:CompanyID').some((id) => /^SE\d{12}$/.test(id))).toBe(true);
    // The document's net comes first (LegalMonetaryTotal), then each line's.
    const [docNet, ...lineNets] = texts(xml, 'cbc:LineExtensionAmount').map((a) => new Decimal(a));
    expect(docNet.eq(lineNets.reduce((a, b) => a.plus(b), new Decimal(0)))).toBe(true);
    const [taxTotal, ...subTax] = texts(xml, 'cbc:TaxAmount').map((a) => new Decimal(a));
    expect(taxTotal.eq(subTax.reduce((a, b) => a.plus(b), new Decimal(0)))).toBe(true);
    const [exclusive] = texts(xml, 'cbc:TaxExclusiveAmount').map((a) => new Decimal(a));
    const [inclusive] = texts(xml, 'cbc:TaxInclusiveAmount').map((a) => new Decimal(a));
    expect(inclusive.eq(exclusive.plus(taxTotal))).toBe(true);
    expect(texts(xml, 'cbc:Percent').every((p) => p === '25')).toBe(true);
    expect(texts(xml, 'cbc:PayableAmount')).toEqual([new Decimal(stored.total).toFixed(2)]);
    expect(texts(xml, 'cbc:InvoicedQuantity')).toHaveLength(stored.lines.length);
  });

  test('a membership invoice: category O with its reason, and no seller VAT number (BR-O-2, BR-O-10)', async () => {
    const xml = (await f.run('export', 'peppol', 'M2024-0001')).out;
    expect(new Set(texts(xml, 'cbc:ID').filter((id) => /^[A-Z]$/.test(id)))).toEqual(new Set(['O']));
    expect(texts(xml, 'cbc:TaxExemptionReason')).toEqual(['Medlemsavgift och medlemsinsats omfattas inte av mervärdesskatt']);
    expect(xml).not.toContain('<cac:PartyTaxScheme>');
    expect(xml).not.toContain('<cbc:Percent>');
    expect(texts(xml, 'cbc:Note')).toHaveLength(1);
  });

  test('a credit note: type 381, a reference to the invoice, one note, terms instead of a due date', async () => {
    const xml = (await f.run('export', 'peppol', 'TK2024-0001', '--buyer-reference', 'ABC123')).out;
    expect(topLevel(xml, 'CreditNote')).toEqual([
      'cbc:CustomizationID', 'cbc:ProfileID', 'cbc:ID', 'cbc:IssueDate', 'cbc:CreditNoteTypeCode', 'cbc:Note', 'cbc:DocumentCurrencyCode', 'cbc:BuyerReference',
      'cac:BillingReference', 'cac:AccountingSupplierParty', 'cac:AccountingCustomerParty', 'cac:PaymentTerms', 'cac:TaxTotal', 'cac:LegalMonetaryTotal', 'cac:CreditNoteLine',
    ]);
    expect(texts(xml, 'cbc:CreditNoteTypeCode')).toEqual(['381']);
    expect(texts(xml, 'cbc:BuyerReference')).toEqual(['ABC123']);
    expect(xml).toMatch(/<cac:BillingReference>\s*<cac:InvoiceDocumentReference>\s*<cbc:ID>T2024-0001<\/cbc:ID>/);
    expect(texts(xml, 'cbc:CreditedQuantity')).toEqual(['1']);
    expect(new Decimal(texts(xml, 'cbc:PayableAmount')[0]).gt(0)).toBe(true);
  });

  test('written to a file with --out (said in a sentence, or with --json as JSON); an unknown number is one line, exit code 2', async () => {
    const out = `${f.dir}/T2024-0001.xml`;
    const r = await f.run('export', 'peppol', 'T2024-0001', '--out', out);
    expect(r).toMatchObject({ code: 0, out: `Faktura T2024-0001 som Peppol BIS Billing 3.0 skriven till ${out}\n` });
    expect((await import('node:fs')).readFileSync(out, 'utf8')).toBe((await f.run('export', 'peppol', 'T2024-0001')).out.replace(/\n$/, ''));
    // With --json, what was written as JSON, not the sentence.
    const json = await f.run('--json', 'export', 'peppol', 'TK2024-0001', '--out', `${f.dir}/TK2024-0001.xml`);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      document: 'TK2024-0001', type: 'credit-note', format: 'peppol-bis-3', file: `${f.dir}/TK2024-0001.xml`,
      bytes: (await import('node:fs')).statSync(`${f.dir}/TK2024-0001.xml`).size,
    });
    const bad = await f.run('export', 'peppol', 'T2024-9999');
    expect(bad).toMatchObject({ code: 2, err: 'samkost: okänd faktura T2024-9999\n' });
  });

  test('given --buyer-reference with a control character, a line break or nothing but blanks, then it is refused in one line, exit code 2, and no file is written', async () => {
    const out = join(f.dir, 'ref.xml');
    for (const [ref, why] of [
      ['a\u0001b', 'innehåller en radbrytning eller ett annat styrtecken; skriv referensen på en rad'],
      ['KS\n4711', 'innehåller en radbrytning eller ett annat styrtecken; skriv referensen på en rad'],
      ['KS\u20284711', 'innehåller en radbrytning eller ett annat styrtecken; skriv referensen på en rad'],
      ['   ', 'är tom; ange referensen, eller utelämna flaggan för dokumentets egen (annars köparens organisationsnummer)'],
      ['', 'är tom; ange referensen, eller utelämna flaggan för dokumentets egen (annars köparens organisationsnummer)'],
    ]) {
      expect(await f.run('export', 'peppol', 'T2024-0001', '--buyer-reference', ref, '--out', out)).toEqual({ code: 2, out: '', err: `samkost: --buyer-reference ${why}\n` });
    }
    expect(existsSync(out)).toBe(false);
    // Blanks around a reference are no part of it.
    expect(texts((await f.run('export', 'peppol', 'T2024-0001', '--buyer-reference', ' KS-4711 ')).out, 'cbc:BuyerReference')).toEqual(['KS-4711']);
  });

  test('--buyer-reference says in its help that it is this export\'s alone, recorded nowhere', async () => {
    const help = (await f.run('export', 'peppol', '--help')).out.replace(/\s+/g, ' ');
    expect(help).toContain('köparens referens (BT-10) i just denna export; sparas inte, så den kan skilja sig från "Er referens" i invoice show');
  });

  test('given a membership invoice credited, when its credit note is exported, then its one note gives the reason and the VAT basis as two sentences (PEPPOL-EN16931-R002)', async () => {
    const credited = await f.run('invoice', 'credit', 'M2024-0001', '--reason', 'Utträde 2024-12-31', '--date', '2024-02-01');
    expect(credited.code).toBe(0);
    const number = /Kreditfaktura (MK2024-\d{4})/.exec(credited.out)![1];
    expect(texts((await f.run('export', 'peppol', number)).out, 'cbc:Note')).toEqual([
      'Utträde 2024-12-31. Medlemsavgift och medlemsinsats omfattas inte av mervärdesskatt (utanför mervärdesskattelagens tillämpningsområde; Skatteverket 2004, HFD 2024 ref. 10).',
      `Krediteras mot M2024-0001`,
    ]);
  });

  test('names with & and < are escaped, never written raw', () => {
    const name = 'Höglandets kommunalförbund & <Sävsjö> "HF"';
    const doc = {
      number: 'T2024-0009', issueDate: '2024-01-15', dueDate: '2024-02-14', currency: 'SEK', period: '2024',
      seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk', vatNumber: 'SE802428278501' }, buyer: { orgnr: '222000-1479', name },
      lines: [{ lineNo: 1, description: `EGIL a conto 2024 (${name})`, amount: '100.00', vatCategory: 'S', vatRate: '0.25' }],
      vat: [{ category: 'S', rate: '0.25', taxable: '100.00', vat: '25.00' }], totalNet: '100.00', totalVat: '25.00', total: '125.00',
    } as unknown as InvoiceIssued;
    const xml = peppolXml(doc);
    expect(xml).toContain('<cbc:RegistrationName>Höglandets kommunalförbund &amp; &lt;Sävsjö&gt; "HF"</cbc:RegistrationName>');
    expect(xml).toContain('<cbc:Name>EGIL a conto 2024 (Höglandets kommunalförbund &amp; &lt;Sävsjö&gt; "HF")</cbc:Name>');
    expect(xml).not.toContain('& <');
  });
});

describe("a member's invoice reference (samkost member details)", () => {
  test('given a reference, then later invoices carry it (invoice show, Peppol BT-10), earlier ones keep what they had, and the year still replays', async () => {
    const f = await billingFixture();
    const { ok } = f;
    await ok('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    const numbers = async () => (await f.json<{ invoices: { number: string }[] }>('invoices', '--year', '2024')).invoices.map((i) => i.number).filter((n) => n.startsWith('T'));
    const before = (await numbers()).length;

    await ok('member', 'details', '0180', '--reference', 'KS-4711', '--date', '2024-03-20');
    const stored = eventCount(f.store);
    // The same command again is not recorded twice; the same details on another day change nothing and are refused.
    const again = await f.run('member', 'details', '0180', '--reference', 'KS-4711', '--date', '2024-03-20');
    expect(again).toMatchObject({ code: 0, out: expect.stringContaining('inget nytt sparat') });
    const repeated = await f.run('member', 'details', '0180', '--reference', 'KS-4711', '--date', '2024-03-21');
    expect(repeated).toMatchObject({ code: 2, err: 'samkost: member.details: Stockholms stad (212000-0142) har redan denna adress och fakturareferens; inget att ändra\n' });
    expect(eventCount(f.store)).toBe(stored);
    const members = await f.json<{ members: { orgnr: string; invoiceReference: string | null }[] }>('members', '--at', '2024-04-01');
    expect(members.members.find((m) => m.orgnr === '212000-0142')?.invoiceReference).toBe('KS-4711');

    await ok('invoice', 'run', '--period', '2024-Q2', '--date', '2024-04-15');
    const buyerOf = async (n: string) => (await f.json<{ buyer: { orgnr: string; reference?: string } }>('invoice', 'show', n)).buyer;
    const later: string[] = [];
    const earlier: string[] = [];
    for (const n of await numbers()) {
      const buyer = await buyerOf(n);
      if (buyer.orgnr !== '212000-0142') continue;
      (Number(n.slice(-4)) > before ? later : earlier).push(n);
      expect(buyer.reference).toBe(Number(n.slice(-4)) > before ? 'KS-4711' : undefined);
    }
    expect(later.length).toBeGreaterThan(0);
    expect(earlier.length).toBeGreaterThan(0);
    expect((await ok('invoice', 'show', later[0])).out).toContain('Er referens: KS-4711');
    expect((await ok('invoice', 'show', earlier[0])).out).not.toContain('Er referens');
    expect(texts((await ok('export', 'peppol', later[0])).out, 'cbc:BuyerReference')).toEqual(['KS-4711']);
    expect(texts((await ok('export', 'peppol', earlier[0])).out, 'cbc:BuyerReference')).toEqual(['2120000142']);
    expect(texts((await ok('export', 'peppol', later[0], '--buyer-reference', 'X9')).out, 'cbc:BuyerReference')).toEqual(['X9']);

    const replay = await f.run('replay', '--year', '2024', '--verify');
    expect(replay.code).toBe(0);
    expect((await f.run('verify')).code).toBe(0);
  });

  test('refused with one line, exit code 2, nothing stored: no detail given, an unknown member', async () => {
    const f = await billingFixture();
    const stored = eventCount(f.store);
    expect(await f.run('member', 'details', '0180')).toMatchObject({ code: 2, err: 'samkost: member details: ange --reference eller någon av --street, --postal-code och --city\n' });
    const unknown = await f.run('member', 'details', '0999', '--reference', 'R');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('samkost: okänd medlem: ingen kommun med kommunkod 0999 har gått med\n');
    expect(eventCount(f.store)).toBe(stored);
  });
});


describe('documents Peppol would reject are refused before any XML is written', () => {
  const doc = (over: Record<string, unknown>) => ({
    number: 'T2024-0009', issueDate: '2024-01-15', dueDate: '2024-02-14', currency: 'SEK', period: '2024',
    seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk', vatNumber: 'SE802428278501' }, buyer: { orgnr: '222000-1479', name: 'Sävsjö kommun' },
    lines: [{ lineNo: 1, description: 'EGIL a conto 2024', amount: '100.00', vatCategory: 'S', vatRate: '0.25' }],
    vat: [{ category: 'S', rate: '0.25', taxable: '100.00', vat: '25.00' }], totalNet: '100.00', totalVat: '25.00', total: '125.00',
    ...over,
  }) as unknown as InvoiceIssued;

  test('a VAT invoice whose seller has no VAT number, or one not in the Swedish form (BR-S-02, SE-R-001)', () => {
    expect(() => peppolXml(doc({ seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk' } }))).toThrow(
      'T2024-0009 har moms, så säljarens momsregistreringsnummer måste vara SE följt av tolv siffror (BR-S-02, SE-R-001); det saknas: ange seller.vatNumber i samkost.config.json före fakturakörningen',
    );
    expect(() => peppolXml(doc({ seller: { orgnr: '802428-2785', name: 'Föreningen Sambruk', vatNumber: '802428278501' } }))).toThrow('det är "802428278501"');
  });

  test('a document mixing category O with S (BR-O-11)', () => {
    const vat = [{ category: 'O', rate: '0', taxable: '50.00', vat: '0.00' }, { category: 'S', rate: '0.25', taxable: '100.00', vat: '25.00' }];
    expect(() => peppolXml(doc({ vat }))).toThrow('T2024-0009 blandar momskategorierna O och S; Peppol tillåter kategori O bara ensam (BR-O-11)');
  });

  test('given a document whose stored buyer reference is blank, then the organisationsnummer is sent, never an empty element (PEPPOL-EN16931-R008)', () => {
    expect(texts(peppolXml(doc({ buyer: { orgnr: '222000-1479', name: 'Sävsjö kommun', reference: '  ' } })), 'cbc:BuyerReference')).toEqual(['2220001479']);
    expect(texts(peppolXml(doc({ buyer: { orgnr: '222000-1479', name: 'Sävsjö kommun', reference: 'ABC' } })), 'cbc:BuyerReference')).toEqual(['ABC']);
  });

  test('given a blank override of the buyer reference, then it is refused rather than replaced by the next source unseen', () => {
    for (const blank of ['', '   ']) {
      expect(() => peppolXml(doc({ buyer: { orgnr: '222000-1479', name: 'Sävsjö kommun', reference: 'ABC' } }), blank)).toThrow('köparens referens (BT-10) är tom; ange en, eller ingen för dokumentets egen');
    }
  });

  describe('given a stored text holding a character XML 1.0 forbids (stored before commands refused them)', () => {
    const creditNote = (reason: string) => ({
      ...doc({}), number: 'TK2024-0003', credits: ['T2024-0009'], reason, legalBasis: undefined,
    }) as unknown as CreditNoteIssued;
    const refusal = (number: string, element: string, code: string) =>
      `${number} kan inte skrivas som Peppol: texten i ${element} har tecknet ${code}, som XML 1.0 inte tillåter; dokumentet är lagrat så och ändras inte, så skicka det på annat sätt (samkost invoice show ${number})`;

    test.each([
      ['U+FFFE', 'Fel\ufffe'], ['U+FFFF', 'Fel\uffff'], ['U+0001', 'Fel\u0001'], ['U+D800', 'Fel\ud800'], ['U+DC00', '\udc00Fel'],
    ])('when a credit note whose reason holds %s is exported, then it is refused naming the element and the character, and no XML is written', (code, reason) => {
      expect(() => peppolXml(creditNote(reason))).toThrow(refusal('TK2024-0003', 'cbc:Note', code));
    });

    test('when the character is in the buyer\'s name or its reference, then the refusal names that element', () => {
      expect(() => peppolXml(doc({ buyer: { orgnr: '222000-1479', name: 'Sävsjö\u001bkommun' } }))).toThrow(refusal('T2024-0009', 'cbc:Name', 'U+001B'));
      expect(() => peppolXml(doc({ buyer: { orgnr: '222000-1479', name: 'Sävsjö kommun', reference: 'KS\u00024711' } }))).toThrow(refusal('T2024-0009', 'cbc:BuyerReference', 'U+0002'));
    });

    test('what XML allows is written: a tab or a line break stored earlier, a character outside the Basic Multilingual Plane', () => {
      expect(texts(peppolXml(creditNote('Fel\tvikt 𝄞')), 'cbc:Note')[0]).toBe('Fel\tvikt 𝄞');
      expect(() => parse(peppolXml(creditNote('Fel\nvikt')))).not.toThrow();
    });
  });

  test.each([
    [['Utträde 2024-12-31', 'Medlemsavgift omfattas inte av mervärdesskatt.'], 'Utträde 2024-12-31. Medlemsavgift omfattas inte av mervärdesskatt.'],
    [['Fel nivå.', 'Medlemsavgift omfattas inte.'], 'Fel nivå. Medlemsavgift omfattas inte.'],
    [['Varför?', 'Medlemsavgift.'], 'Varför? Medlemsavgift.'],
    [['Fel vikt ', undefined], 'Fel vikt'],
    [[undefined, 'Medlemsavgift.'], 'Medlemsavgift.'],
    [['  ', undefined], ''],
  ])('given the note\'s texts %j, then the one note reads %j', (parts, note) => {
    expect(documentNote(parts)).toBe(note);
  });

  test('an organisationsnummer is written as its ten digits, whatever separates them (PEPPOL-COMMON-R049)', () => {
    const xml = peppolXml(doc({ buyer: { orgnr: '222000 1479', name: 'Sävsjö kommun' } }));
    expect(texts(xml, 'cbc:EndpointID')).toEqual(['8024282785', '2220001479']);
  });
});
