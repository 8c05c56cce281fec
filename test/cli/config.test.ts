import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, loadConfig, placeholderSellerWarning } from '../../src/config';
import { billingFixture } from '../support/billing-fixture';
import { cliOn, eventCount } from '../support/cli';

const WARNING = 'samkost: varning: säljaren är platshållaren 802999-0002, samkosts exempel; ange föreningens organisationsnummer, momsnummer och adress i samkost.config.json eller $SAMKOST_CONFIG\n';
/** Where documents are issued: a seller without a bankgiro, and buyers without an address, are said too. */
const NO_BANKGIRO = 'samkost: varning: säljaren har inget bankgiro (seller.bankgiro i samkost.config.json); fakturorna säger inte vart de ska betalas eller med vilket OCR-nummer\n';
const NO_ADDRESS = 'samkost: varning: 2 köpare saknar adress på fakturorna (Göteborgs Stad, Region Stockholm); en faktura ska ange köparens adress: ange den med samkost member details MEDLEM --street … --postal-code … --city … före nästa körning\n';

const SELLER = {
  orgnr: '802428-2090',
  name: 'Föreningen Sambruk',
  vatNumber: 'SE802428209001',
  address: { street: 'Kommunhuset', postalCode: '811 80', city: 'Sandviken' },
};

/** The CLI on the billing fixture's store with the given environment (the fixture's own runs have none). */
async function withEnv(env: NodeJS.ProcessEnv) {
  const f = await billingFixture();
  const run = cliOn(f.store, '2025-03-01T09:00:00Z', env);
  return { f, run };
}

describe('the seller on every document comes from the configuration, and its placeholder is never used silently', () => {
  test('given no configuration, when documents are issued or the books exported, then each warns of the placeholder on stderr, and --json output stays JSON', async () => {
    const { f, run } = await withEnv({});
    const r = await run('--json', 'invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    expect(r).toMatchObject({ code: 0, err: WARNING + NO_BANKGIRO + NO_ADDRESS });
    expect(JSON.parse(r.out)).toMatchObject({ duplicate: false });
    const sie = await run('export', 'sie', '--year', '2024', '--out', join(f.dir, 'b.se'));
    expect(sie).toMatchObject({ code: 0, err: WARNING });
    expect((await run('invoices', '--year', '2024')).err).toBe('');
    // A run or settlement that issues nothing issued nothing in the seller's name: no warning of it.
    expect(await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).toMatchObject({ code: 0, err: '' });
    expect(await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-16')).toMatchObject({ code: 0, err: '', out: 'Fakturakörning 2024-Q1: inget nytt att fakturera\n' });
    // A refused command's one line is its only line: the warning comes with success only.
    expect(await run('invoice', 'run', '--period', '2024-13')).toMatchObject({ code: 2, err: 'samkost: perioden "2024-13" är inte ett år (2024), ett kvartal (2024-Q2) eller en månad (2024-05)\n' });
    expect((await run('reminder', '--member', '9999')).err).toBe('samkost: okänd medlem: ingen kommun med kommunkod 9999 har gått med\n');
  });

  test('given a configuration with the association\'s own identity, then there is no warning, and the invoices name that seller', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'samkost.config.json');
    writeFileSync(config, JSON.stringify({ seller: SELLER }));
    const configured = await withEnv({ SAMKOST_CONFIG: config });
    expect(await configured.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).toMatchObject({ code: 0, err: NO_BANKGIRO + NO_ADDRESS });
    const shown = await configured.run('--json', 'invoice', 'show', 'T2024-0001');
    expect((JSON.parse(shown.out) as { seller: unknown }).seller).toEqual(SELLER);
    // Without a bankgiro configured, the invoice says nothing of where to pay.
    expect((await configured.run('invoice', 'show', 'T2024-0001')).out).not.toContain('Betalas till');
  });

  test('given the association\'s bankgiro in the configuration, then each invoice says where to pay and by when, and a credit note does not', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'samkost.config.json');
    writeFileSync(config, JSON.stringify({ seller: { ...SELLER, bankgiro: '50501055' } }));
    const { run } = await withEnv({ SAMKOST_CONFIG: config });
    expect(await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15')).toMatchObject({ code: 0, err: NO_ADDRESS });
    expect((await run('invoice', 'show', 'T2024-0001')).out).toContain('\nAtt betala: ');
    expect((await run('invoice', 'show', 'T2024-0001')).out).toContain('\nBetalas till bankgiro 5050-1055 senast 2024-02-14 med OCR-nummer 2202400000139.\n');
    expect((await run('--json', 'invoice', 'show', 'M2024-0001')).out).toContain('"bankgiro": "5050-1055"');
    expect((await run('invoice', 'credit', 'T2024-0001', '--reason', 'Fel', '--date', '2024-01-20')).code).toBe(0);
    expect((await run('invoice', 'show', 'TK2024-0001')).out).not.toContain('Betalas till');
  });

  test('given a configuration that is not valid, then the command is refused naming the file and field, and nothing is stored', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'bad.json');
    writeFileSync(config, JSON.stringify({ seller: { ...SELLER, orgnr: '802428-2091' } }));
    const bad = await withEnv({ SAMKOST_CONFIG: config });
    const r = await bad.run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^samkost: ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: seller\\.orgnr: .*kontrollsiffran`));
    expect((await bad.run('--json', 'invoices', '--year', '2024')).out).toContain('"invoices": []');
  });
});

describe('a seller and VAT rate documents may be issued with (rules 10)', () => {
  test('given a service VAT rate Sweden does not have (0.2), then the configuration is refused naming the field, and nothing is stored', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'rate.json');
    writeFileSync(config, JSON.stringify({ seller: SELLER, serviceVatRate: '0.2' }));
    const { f, run } = await withEnv({ SAMKOST_CONFIG: config });
    const before = eventCount(f.store);
    const r = await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    expect([r.code, r.err]).toEqual([2, `samkost: ${config}: serviceVatRate: ingen svensk momssats (0.25, 0.12, 0.06)\n`]);
    expect(eventCount(f.store)).toBe(before);
  });

  test.each([
    ['no address', { orgnr: SELLER.orgnr, name: SELLER.name, vatNumber: SELLER.vatNumber }, 'säljaren saknar adress (seller.address)'],
    ['no VAT number', { ...SELLER, vatNumber: undefined }, 'säljaren saknar momsregistreringsnummer (seller.vatNumber, SE802428209001)'],
    ['another organisation\'s VAT number', { ...SELLER, vatNumber: 'SE556036079301' }, 'säljarens momsregistreringsnummer "SE556036079301" är inte säljarens egen'],
  ])('given a seller with %s, when the service invoices are run, then the run is refused in one line and nothing is stored', async (_what, seller, words) => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'seller.json');
    writeFileSync(config, JSON.stringify({ seller }));
    const { f, run } = await withEnv({ SAMKOST_CONFIG: config });
    const before = eventCount(f.store);
    const r = await run('invoice', 'run', '--period', '2024-Q1', '--date', '2024-01-15');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^samkost: invoice\\.run 2024-Q1: ${words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*; ange säljaren i samkost\\.config\\.json\n$`));
    expect(eventCount(f.store)).toBe(before);
  });

  test('given the association\'s own orgnr but the placeholder\'s VAT number left in, then documents still warn of the placeholder (and are refused for the VAT number)', () => {
    expect(placeholderSellerWarning({ ...DEFAULT_CONFIG, seller: { ...DEFAULT_CONFIG.seller, orgnr: SELLER.orgnr } })).toContain('platshållaren');
    expect(placeholderSellerWarning({ ...DEFAULT_CONFIG, seller: SELLER })).toBeUndefined();
  });
});

describe('an invoice run or settlement in an apply file or an HTTP body takes the configured seller, terms and VAT rate it leaves out', () => {
  test('given an apply file of two runs without them, then both are issued in the configured seller\'s name, and the placeholder warning would come once', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'samkost-config-')), 'samkost.config.json');
    writeFileSync(config, JSON.stringify({ seller: SELLER, paymentTermsDays: 20 }));
    const { f, run } = await withEnv({ SAMKOST_CONFIG: config });
    const file = join(f.dir, 'runs.ndjson');
    writeFileSync(file, [
      { type: 'invoice.run', period: '2024-Q1', issueDate: '2024-01-15' },
      { type: 'invoice.run', period: '2024-Q2', issueDate: '2024-04-15', paymentTermsDays: 10 },
    ].map((c) => JSON.stringify(c)).join('\n'));
    expect(await run('apply', file)).toMatchObject({ code: 0, err: NO_BANKGIRO });
    const invoices = (JSON.parse((await run('--json', 'invoices', '--year', '2024')).out) as { invoices: { number: string; issueDate: string; dueDate: string }[] }).invoices;
    expect(invoices.map((i) => [i.issueDate, i.dueDate])).toContainEqual(['2024-01-15', '2024-02-04']);
    expect(invoices.map((i) => [i.issueDate, i.dueDate])).toContainEqual(['2024-04-15', '2024-04-25']);
    for (const i of invoices) expect((JSON.parse((await run('--json', 'invoice', 'show', i.number)).out) as { seller: unknown }).seller).toEqual(SELLER);

    const placeholder = await withEnv({});
    writeFileSync(file, ['2024-Q1', '2024-Q2'].map((period) => JSON.stringify({ type: 'invoice.run', period, issueDate: '2024-04-15' })).join('\n'));
    expect(await placeholder.run('apply', file)).toMatchObject({ code: 0, err: WARNING + NO_BANKGIRO });
  });
});

describe('the example configuration in docs/', () => {
  test('is a valid configuration, every setting given', () => {
    const example = join(__dirname, '..', '..', 'docs', 'samkost.config.example.json');
    const config = loadConfig({ SAMKOST_CONFIG: example });
    expect(Object.keys(config).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    expect(config.seller.bankgiro).toBe('5050-1055');
  });
});
