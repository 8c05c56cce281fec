import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RULE_SETS, TRANSPILER, sha256 } from '../../scripts/compile-peppol-rules';
import { COMMANDS_FILE, renderNdjson, sambrukActualCosts } from '../../scripts/sambruk-commands';
import { DEFAULT_CONFIG } from '../../src/config';
import { billingFixture } from '../support/billing-fixture';
import { cliFixture } from '../support/cli';

/*
 * Our Peppol BIS Billing 3.0 output run through the official validation rules: CEN's EN 16931 UBL rules
 * and OpenPEPPOL's Peppol BIS rules, unmodified under test/fixtures/peppol-rules/ (see its README), turned
 * into XSLT by SchXslt2 and compiled to SaxonJS SEF by scripts/compile-peppol-rules.ts. A failed assert
 * flagged fatal (or unflagged) fails the test; warnings are listed in the failure message.
 */

const RULES = join(__dirname, '..', 'fixtures', 'peppol-rules');
const SVRL = 'http://purl.oclc.org/dsdl/svrl';

interface SaxonJs {
  transform(options: { stylesheetInternal: unknown; sourceText: string; destination: 'document' }): { principalResult: unknown };
  XPath: { evaluate(xpath: string, context: unknown, options: { namespaceContext: Record<string, string>; resultForm?: 'array' }): unknown };
}
const saxon = createRequire(__filename)('saxon-js') as SaxonJs;

interface Finding { rules: string; id: string; flag: string; location: string; text: string }
interface Report { fired: number; errors: Finding[]; warnings: Finding[] }

const compiled = new Map<string, unknown>();
const sef = (name: string) => {
  if (!compiled.has(name)) compiled.set(name, JSON.parse(readFileSync(join(RULES, 'compiled', `${name}.sef.json`), 'utf8')));
  return compiled.get(name);
};

/** One document through one rule set: the SVRL's failed asserts and successful reports, split by flag. */
function validateWith(name: string, xml: string): Report {
  const svrl = saxon.transform({ stylesheetInternal: sef(name), sourceText: xml, destination: 'document' }).principalResult;
  const ns = { namespaceContext: { svrl: SVRL } };
  const fired = saxon.XPath.evaluate('count(//svrl:fired-rule)', svrl, ns) as number;
  const found = saxon.XPath.evaluate(
    "//(svrl:failed-assert | svrl:successful-report) ! map { 'id': string(@id), 'flag': string(@flag), 'location': string(@location), 'text': normalize-space(svrl:text) }",
    svrl, { ...ns, resultForm: 'array' },
  ) as Omit<Finding, 'rules'>[];
  const findings = found.map((f) => ({ rules: name, ...f }));
  // The rules flag what only warns; anything else that fails (fatal, or no flag at all) is an error.
  const isWarning = (f: Finding) => f.flag === 'warning' || f.flag === 'information';
  return { fired, errors: findings.filter((f) => !isWarning(f)), warnings: findings.filter(isWarning) };
}

/** Both rule sets, as an access point validating a Peppol BIS Billing 3.0 document would run them. */
function validate(xml: string): Report & { byRules: Record<string, number> } {
  const reports = RULE_SETS.map((s) => [s.name, validateWith(s.name, xml)] as const);
  return {
    fired: reports.reduce((n, [, r]) => n + r.fired, 0),
    byRules: Object.fromEntries(reports.map(([n, r]) => [n, r.fired])),
    errors: reports.flatMap(([, r]) => r.errors),
    warnings: reports.flatMap(([, r]) => r.warnings),
  };
}

const describeFindings = (fs: Finding[]) => fs.map((f) => `${f.rules} ${f.id} [${f.flag || 'no flag'}] at ${f.location}: ${f.text}`);

/** No error from either rule set; the message names every error and every warning's id. */
function expectValid(label: string, xml: string): Report {
  const report = validate(xml);
  // Every rule set looked at the document: a namespace or root mix-up would fire no rule and pass silently.
  for (const [rules, fired] of Object.entries(report.byRules)) expect({ label, rules, fired: fired > 0 }).toEqual({ label, rules, fired: true });
  expect({ label, errors: describeFindings(report.errors), warnings: report.warnings.map((w) => `${w.rules} ${w.id}`) })
    .toEqual({ label, errors: [], warnings: expect.any(Array) });
  return report;
}

const ok = async (f: { run: (...args: string[]) => Promise<{ code: number; out: string; err: string }> }, ...args: string[]) => {
  const r = await f.run(...args);
  if (r.code !== 0) throw new Error(`samkost ${args.join(' ')}: ${r.err}`);
  return r.out;
};

describe('the official Peppol BIS Billing 3.0 validation rules (EN 16931 UBL and Peppol BIS) accept what we export', () => {
  test('the compiled rules are those of the committed sources (regenerate: node dist/scripts/compile-peppol-rules.js)', () => {
    const manifest = JSON.parse(readFileSync(join(RULES, 'compiled', 'manifest.json'), 'utf8')) as { sources: Record<string, string> };
    const sources = [TRANSPILER, ...RULE_SETS.map((s) => s.source)];
    expect(manifest.sources).toEqual(Object.fromEntries(sources.map((f) => [f, sha256(join(RULES, f))])));
  });

  describe('the billing fixture: an a-conto invoice (VAT, category S), a membership invoice (category O), a credit note', () => {
    const xml = new Map<string, string>();
    beforeAll(async () => {
      const f = await billingFixture();
      await ok(f, 'invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
      await ok(f, 'invoice', 'credit', 'T2024-0001', '--lines', '1', '--reason', 'Fel vikt', '--date', '2024-02-01');
      for (const n of ['T2024-0001', 'M2024-0001', 'TK2024-0001']) xml.set(n, await ok(f, 'export', 'peppol', n));
    });

    test('T2024-0001, an a-conto service invoice with 25 % VAT', () => {
      expect(xml.get('T2024-0001')).toContain('<cbc:ID>S</cbc:ID>');
      expectValid('T2024-0001', xml.get('T2024-0001')!);
    });

    test('M2024-0001, a membership invoice outside the scope of VAT', () => {
      expect(xml.get('M2024-0001')).toContain('<cbc:ID>O</cbc:ID>');
      expectValid('M2024-0001', xml.get('M2024-0001')!);
    });

    test('TK2024-0001, a credit note referring to the invoice it credits', () => {
      expect(xml.get('TK2024-0001')).toContain('<CreditNote ');
      expectValid('TK2024-0001', xml.get('TK2024-0001')!);
    });

    describe('the harness can fail: a broken invoice is reported with the rule it breaks', () => {
      const errorIds = (doc: string) => validate(doc).errors.map((e) => e.id);

      test('without its invoice number: BR-02 (EN 16931)', () => {
        const broken = xml.get('T2024-0001')!.replace(/\n\s*<cbc:ID>T2024-0001<\/cbc:ID>/, '');
        expect(broken).not.toContain('T2024-0001');
        expect(errorIds(broken)).toContain('BR-02');
      });

      test('the check used above fails on it, naming the rule', () => {
        const broken = xml.get('T2024-0001')!.replace(/\n\s*<cbc:ID>T2024-0001<\/cbc:ID>/, '');
        expect(() => expectValid('broken', broken)).toThrow(/en16931-ubl BR-02 \[fatal\]/);
      });

      test('a line without its identifier and with two notes: BR-21 and UBL-SR-34, rules of two patterns on the same line', () => {
        const broken = xml.get('T2024-0001')!.replace(/(<cac:InvoiceLine>\s*)<cbc:ID>1<\/cbc:ID>/, '$1<cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>');
        expect(errorIds(broken).sort()).toEqual(['BR-21', 'UBL-SR-34']);
      });

      test('with totals that do not add up: BR-CO-15 and BR-CO-16 (EN 16931)', () => {
        const broken = xml.get('T2024-0001')!.replace(/<cbc:TaxInclusiveAmount currencyID="SEK">[\d.]+</, '<cbc:TaxInclusiveAmount currencyID="SEK">1.00<');
        expect(broken).toContain('<cbc:TaxInclusiveAmount currencyID="SEK">1.00<');
        expect(errorIds(broken)).toEqual(expect.arrayContaining(['BR-CO-15', 'BR-CO-16']));
      });

      test('without a buyer reference: PEPPOL-EN16931-R003; with a mistyped organisationsnummer: PEPPOL-COMMON-R049 (Peppol BIS)', () => {
        const noReference = xml.get('M2024-0001')!.replace(/\n\s*<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/, '');
        expect(errorIds(noReference)).toEqual(['PEPPOL-EN16931-R003']);
        // The buyer's endpoint with its check digit changed (the Luhn check of a Swedish organisationsnummer).
        const mistyped = xml.get('M2024-0001')!.replace(/(<cac:AccountingCustomerParty>[\s\S]*?<cbc:EndpointID schemeID="0007">\d{9})(\d)/, (_, head: string, d: string) => `${head}${(Number(d) + 1) % 10}`);
        expect(errorIds(mistyped)).toEqual(['PEPPOL-COMMON-R049']);
      });
    });
  });

  describe("an invoice with the seller's bankgiro: where to pay, as the Swedish rules ask (SE-R-008, SE-R-009, SE-R-011)", () => {
    const seller = { ...DEFAULT_CONFIG.seller, bankgiro: '5050-1055' };
    let xml = '';
    beforeAll(async () => {
      const f = await billingFixture();
      const file = join(f.dir, 'run.ndjson');
      writeFileSync(file, JSON.stringify({ type: 'invoice.run', period: '2024-Q1', issueDate: '2024-01-15', seller }));
      await ok(f, 'apply', file);
      xml = await ok(f, 'export', 'peppol', 'T2024-0001');
    });

    test('PaymentMeans: credit transfer (30) to the bankgiro as digits, its OCR number as the payment reference; valid, and no Swedish rule warns', () => {
      expect(xml).toContain('<cbc:PaymentMeansCode name="Credit transfer">30</cbc:PaymentMeansCode>');
      expect(xml).toContain('<cbc:PaymentID>2202400000139</cbc:PaymentID>');
      expect(xml).toContain('<cbc:ID>50501055</cbc:ID>');
      expect(xml).toContain('<cbc:ID>SE:BANKGIRO</cbc:ID>');
      const report = expectValid('T2024-0001 with bankgiro', xml);
      expect(report.warnings.map((w) => w.id).filter((id) => id.startsWith('SE-R'))).toEqual([]);
    });

    test('the harness can fail: an account of nine digits is SE-R-009', () => {
      const broken = xml.replace('<cbc:ID>50501055</cbc:ID>', '<cbc:ID>505010551</cbc:ID>');
      expect(validate(broken).warnings.map((w) => w.id)).toContain('SE-R-009');
    });
  });

  describe("the main job's year (Sambruk 2023): each kind of document it issues", () => {
    const xml = new Map<string, string>();
    beforeAll(async () => {
      const f = cliFixture('2024-02-01T09:00:00Z');
      const costs = join(f.dir, 'costs.ndjson');
      writeFileSync(costs, renderNdjson(sambrukActualCosts()));
      await ok(f, 'apply', COMMANDS_FILE);
      for (const q of [1, 2, 3, 4]) await ok(f, 'invoice', 'run', '--period', `2023-Q${q}`, '--date', `2023-${String(3 * q - 2).padStart(2, '0')}-15`);
      await ok(f, 'apply', costs);
      const services = ['bibblix', 'egil', 'provisum', 'multifraga', 'fixamingata', 'uka', 'tillarbetslivet', 'tjanstekollen'];
      for (const s of services) await ok(f, 'settle', '--service', s, '--year', '2023', '--date', '2024-01-20');
      const { invoices } = JSON.parse(await ok(f, '--json', 'invoices', '--year', '2023')) as { invoices: { number: string; kind: string }[] };
      const first = (kind: string) => invoices.find((i) => i.kind === kind)?.number;
      const documents: [string, string | undefined][] = [['membership', first('membership')], ['a-conto', first('a-conto')], ['settlement', first('settlement')], ['settlement credit note', 'TK2023-0001']];
      for (const [label, number] of documents) {
        if (!number) throw new Error(`the main job issued no ${label} document`);
        xml.set(label, await ok(f, 'export', 'peppol', number));
      }
    }, 60_000);

    test.each(['membership', 'a-conto', 'settlement', 'settlement credit note'])('%s', (label) => {
      const doc = xml.get(label)!;
      if (label === 'settlement') expect(doc).toContain('<cac:BillingReference>');
      if (label === 'settlement credit note') expect(doc).toContain('<CreditNote ');
      expectValid(label, doc);
    });
  });
});
