/**
 * Regenerates the compiled Peppol validation rules the tests run (test/fixtures/peppol-rules/compiled/):
 * each official schematron is turned into XSLT by SchXslt2's transpile.xsl, and that XSLT is compiled to a
 * SaxonJS SEF. Compiling takes about 25 s, so the result is committed; run this after changing a file in
 * test/fixtures/peppol-rules/ (the test compares the sources' hashes with compiled/manifest.json):
 *
 *   npm run build && node dist/scripts/compile-peppol-rules.js
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './paths';

const ROOT = projectRoot();
const DIR = join(ROOT, 'test', 'fixtures', 'peppol-rules');
const load = createRequire(join(ROOT, 'package.json'));

interface SaxonJs {
  transform(options: { stylesheetFileName: string; sourceFileName: string; destination: 'serialized' }): { principalResult: string };
}

/** The rule sets: the name of the compiled SEF, and the schematron it comes from. */
export const RULE_SETS = [
  { name: 'en16931-ubl', source: 'cen/EN16931-UBL-validation-preprocessed.sch' },
  { name: 'peppol-bis-billing', source: 'peppol/PEPPOL-EN16931-UBL.sch' },
] as const;
export const TRANSPILER = 'schxslt2/transpile.xsl';

export const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const version = (pkg: string) => (load(`${pkg}/package.json`) as { version: string }).version;

/** Compiles an XSLT stylesheet to a SEF file with the xslt3 command line (SaxonJS's compiler). */
function compile(xsl: string, sef: string): void {
  execFileSync(process.execPath, [load.resolve('xslt3/xslt3.js'), `-xsl:${xsl}`, `-export:${sef}`, '-relocate:on', '-nogo'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function run(): void {
  const started = Date.now();
  const saxon = load('saxon-js') as SaxonJs;
  const tmp = mkdtempSync(join(tmpdir(), 'peppol-rules-'));
  try {
    const transpiler = join(tmp, 'transpile.sef.json');
    compile(join(DIR, TRANSPILER), transpiler);
    for (const set of RULE_SETS) {
      const xsl = join(tmp, `${set.name}.xsl`);
      writeFileSync(xsl, saxon.transform({ stylesheetFileName: transpiler, sourceFileName: join(DIR, set.source), destination: 'serialized' }).principalResult);
      compile(xsl, join(DIR, 'compiled', `${set.name}.sef.json`));
      process.stdout.write(`${set.source} -> compiled/${set.name}.sef.json\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const manifest = {
    note: 'Written by scripts/compile-peppol-rules.ts; the SEF files were compiled from these sources with these tools.',
    tools: { 'saxon-js': version('saxon-js'), xslt3: version('xslt3') },
    sources: Object.fromEntries([TRANSPILER, ...RULE_SETS.map((s) => s.source)].map((f) => [f, sha256(join(DIR, f))])),
  };
  writeFileSync(join(DIR, 'compiled', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) run();
