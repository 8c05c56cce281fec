import type { Command } from 'commander';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import type { EventRef } from '../../domain/event-ref';
import { lookupMember, resolveMember } from '../../domain/deciders/membership';
import type { State } from '../../domain/state';
import { formatNumber, formatSek, grouped } from '../../domain/money';
import type { DerivationStep, LineTrace, SplitMonthTrace } from '../../projections/trace';
import { documentsOfNumber } from '../../domain/documents-read';
import { requireDocumentNumber } from '../../domain/billing/numbers';
import { NotFoundError } from '../../domain/errors';
import { documentFilter } from '../app/document-filter';
import { checkSeals, type DocumentTrace, traceDocuments } from '../app/trace';
import { AUDIT_FILES, type AuditManifest, writeAuditPackage } from '../export/audit-package';
import { type EventStore, rawCodec } from '../store/port';
import { type GlobalOptions, withStore } from './context';
import { readSealedJsonFile } from './input-files';
import { type CliIo, toJson, UsageError } from './io';
import { parseYear } from './options';
import { ProgressReporter } from './progress';
import { makeOutputDirectory, writeOutputFile } from './output-files';
import type { Chart } from '../../projections/ledger';
import { loadChart } from './ledger-commands';

type Format = 'text' | 'json' | 'html';

const parseFormat = (v: string): Format => {
  if (v !== 'text' && v !== 'json' && v !== 'html') throw new UsageError(`--format ska vara text, json eller html, inte "${v}"`);
  return v;
};
const parseLine = (v: string): number => {
  if (!/^[1-9]\d{0,3}$/.test(v)) throw new UsageError(`--line ska vara ett radnummer, inte "${v}"`);
  return Number(v);
};

const rader = (n: number): string => `${n} ${n === 1 ? 'rad' : 'rader'}`;
const kr = (s: string | null): string => (s === null ? '—' : formatSek(new Decimal(s)));
/** The width of the figure names in the text trace: the longest, "förvaltningsrådets budget". */
const FIGURE_WIDTH = 25;
const at = (r: EventRef): string => `${r.type} ${r.streamId}@${r.revision} (position ${r.position}, ${r.recordedAt}, ${r.actor})`;

// ------------------------------------------------------------------------------------------ text

function treeLines(step: DerivationStep, prefix: string, last: boolean, root: boolean, out: string[]): void {
  const head = root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
  const src = step.event ? `  [${step.event.type} ${step.event.streamId}@${step.event.revision}]` : '';
  out.push(`${head}${step.value}  ${step.label}${step.formula ? ` = ${step.formula}` : ''}${src}`);
  const kids = step.children ?? [];
  const next = root ? prefix : `${prefix}${last ? '   ' : '│  '}`;
  kids.forEach((k, i) => treeLines(k, next, i === kids.length - 1, false, out));
}

/**
 * A month of a split as its table's heading: the month's amount, the denominator and Σ of the weights
 * listed, with ✓ or ✗ for whether they agree. A price list divides nothing: its heading says so and what
 * the yearly prices (the weights) add up to.
 */
function monthHeading(m: SplitMonthTrace, mark = true): string {
  const check = mark ? ` ${m.weightsMatch ? '✓' : '✗'}` : '';
  if (m.priceList) return `månad ${m.month}: prislista, inget delas; var och en betalar månadens del av sitt årspris (årspriserna sammanlagt ${kr(m.weightSum)})${check}`;
  return `månad ${m.month}: ${kr(m.monthAmount)}, nämnare ${formatNumber(m.denominator)}${m.storedDenominator !== null ? ` (lagrad ${formatNumber(m.storedDenominator)})` : ''}, Σ vikter ${formatNumber(m.weightSum)}${check}`;
}

export function renderTraceText(t: LineTrace): string {
  const out: string[] = [];
  const what = t.document.type === 'InvoiceIssued' ? 'faktura' : 'kreditfaktura';
  out.push(`══ ${t.document.number} rad ${t.line.lineNo} ══ ${t.document.buyer.name} (${t.document.buyer.orgnr}), ${what} ${t.document.issueDate}`);
  out.push(`Beskrivning: ${t.line.description}`);
  if (t.document.reason !== undefined) out.push(`Orsak:       ${t.document.reason}`);
  out.push(`Belopp:      ${kr(t.amount)}`);
  out.push(`Omräknat:    ${kr(t.recomputed)}  ${t.matches ? '✓ stämmer' : '✗ AVVIKER'} (differens ${kr(t.difference)})`);
  out.push(`Regel:       ${t.rule}`);
  out.push(`Lagrat:      ${t.stored.rule}`, `             ${t.stored.basis}`);
  if (t.document.event) out.push(`Dokument:    ${at(t.document.event)}`, `             sha256 ${t.document.event.hash}`);
  out.push('', 'Härledning');
  const tree: string[] = [];
  treeLines(t.derivation, '  ', true, true, tree);
  out.push(...tree.map((l) => `  ${l}`));
  if (t.months?.length) {
    out.push('', 'Fördelning per månad (deltagare vars vikt ingår; ▶ = denna rad)');
    for (const m of t.months) {
      out.push(`  ${monthHeading(m)}${m.unallocated !== '0.00' ? `, ofördelat ${kr(m.unallocated)}` : ''}`);
      // The band column as wide as the month's widest band ("10000-50000"), so that the columns line up.
      const bandWidth = Math.max(6, ...(m.participants ?? []).map((p) => (p.band ?? '').length));
      for (const p of m.participants ?? []) {
        out.push(`    ${p.thisLine ? '▶' : ' '} ${p.name.padEnd(30).slice(0, 30)} ${(p.band ?? '').padEnd(bandWidth)} ${(p.population === null ? 'org.' : grouped(p.population)).padStart(9)}  vikt ${formatNumber(p.weight).padEnd(8)} ${kr(p.share).padStart(16)}  [${p.event.streamId}@${p.event.revision}]`);
      }
    }
  }
  if (t.settlement) {
    out.push('', `Slutreglering: andel av utfallet ${kr(t.settlement.actualShare)} − fakturerat ${kr(t.settlement.billed)} = ${kr(t.settlement.difference)}`);
    for (const l of t.settlement.billedLines) out.push(`  ${l.document} rad ${l.lineNo} (${l.kind}): ${kr(l.net)}${l.credited !== '0.00' ? ` (${kr(l.amount)} − krediterat ${kr(l.credited)}${l.creditedBy ? ` genom ${l.creditedBy.join(', ')}` : ''})` : ''}  [${l.event.streamId}@${l.event.revision}]`);
  }
  if (t.credited) {
    const c = t.credited;
    out.push('', `Krediterad rad: ${c.invoice} rad ${c.lineNo}: ${c.description}, ${kr(c.amount)} (redan krediterat ${kr(c.creditedBefore)})`);
    out.push(`  regel: ${c.provenance.rule}`, `  underlag: ${c.provenance.basis}`, `  ${at(c.event)}`, `  (samkost trace ${c.invoice} --line ${c.lineNo} visar hur den raden räknades fram)`);
  }
  if (t.figures.length) {
    out.push('', 'Underlag');
    for (const f of t.figures) {
      out.push(`  ${f.name.padEnd(FIGURE_WIDTH)} ${f.value}${f.note ? `  — ${f.note}` : ''}`);
      if (f.event) out.push(`  ${''.padEnd(FIGURE_WIDTH)} ${at(f.event)}`, `  ${''.padEnd(FIGURE_WIDTH)} sha256 ${f.event.hash}`);
    }
  }
  if (t.decisions.length) {
    out.push('', 'Beslut och referenser');
    for (const d of t.decisions) out.push(`  ${d.kind}: ${d.reference}${d.date ? ` (${d.date})` : ''} — ${d.event.type} ${d.event.streamId}@${d.event.revision}, sha256 ${d.event.hash}`);
  }
  if (t.problems.length) {
    out.push('', 'Avvikelser');
    for (const p of t.problems) out.push(`  ✗ ${p}`);
  }
  return `${out.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------------ html

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:2px solid #1f4e79;padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{border:1px solid #ccd;padding:.25rem .45rem;text-align:left;vertical-align:top}th{background:#eef2f7}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}code{font-size:.8em;word-break:break-all}
.ok{color:#14632b;font-weight:600}.bad{color:#a4161a;font-weight:600}.me{background:#fff6d6}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.2rem;border-left:1px dotted #99a}ul.tree{border:0;padding-left:0}
ul.tree li{margin:.15rem 0}.v{font-weight:600;font-variant-numeric:tabular-nums}.f{color:#555}.src{color:#1f4e79;font-size:.85em}
.summary{background:#f4f6f9;padding:.6rem .9rem;border-radius:4px}
@media print{body{margin:0;max-width:none}h2{page-break-before:auto}}
`;

function treeHtml(step: DerivationStep): string {
  const src = step.event ? ` <span class="src">${esc(`${step.event.type} ${step.event.streamId}@${step.event.revision}`)}</span>` : '';
  const kids = step.children?.length ? `<ul>${step.children.map(treeHtml).join('')}</ul>` : '';
  return `<li><span class="v">${esc(step.value)}</span> ${esc(step.label)}${step.formula ? ` <span class="f">= ${esc(step.formula)}</span>` : ''}${src}${kids}</li>`;
}

const refCells = (r?: EventRef): string =>
  r ? `<td>${esc(r.type)}</td><td>${esc(r.streamId)}@${r.revision}</td><td class="num">${esc(r.position)}</td><td>${esc(r.recordedAt)}</td><td>${esc(r.actor)}</td><td><code>${esc(r.hash)}</code></td>` : '<td colspan="6">—</td>';

function lineHtml(t: LineTrace): string {
  const out: string[] = [];
  out.push(`<h2>${esc(t.document.number)} rad ${t.line.lineNo}: ${esc(t.line.description)}</h2>`);
  if (t.document.reason !== undefined) out.push(`<p>Orsak: ${esc(t.document.reason)}</p>`);
  out.push(`<p class="summary">Belopp <strong>${esc(kr(t.amount))}</strong> · omräknat <strong>${esc(kr(t.recomputed))}</strong> · `
    + `${t.matches ? '<span class="ok">✓ stämmer</span>' : '<span class="bad">✗ avviker</span>'} (differens ${esc(kr(t.difference))})<br>`
    + `Regel: ${esc(t.rule)}<br><span class="f">Lagrat: ${esc(t.stored.rule)}; ${esc(t.stored.basis)}</span></p>`);
  out.push(`<h3>Härledning</h3><ul class="tree">${treeHtml(t.derivation)}</ul>`);
  if (t.months?.length) {
    out.push('<h3>Fördelning per månad</h3>');
    for (const m of t.months) {
      const mark = m.weightsMatch ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>';
      out.push(`<p>${esc(monthHeading(m, false))} ${mark}</p>`);
      out.push('<table><tr><th>Deltagare</th><th>Band</th><th>Folkmängd</th><th>Vikt</th><th>Andel</th><th>Anslutning</th></tr>');
      for (const p of m.participants ?? []) {
        out.push(`<tr${p.thisLine ? ' class="me"' : ''}><td>${esc(p.name)}</td><td>${esc(p.band ?? '')}</td><td class="num">${p.population === null ? 'organisation' : esc(grouped(p.population))}</td>`
          + `<td class="num">${esc(formatNumber(p.weight))}</td><td class="num">${esc(kr(p.share))}</td><td>${esc(`${p.event.streamId}@${p.event.revision}`)}</td></tr>`);
      }
      out.push('</table>');
    }
  }
  if (t.settlement) {
    out.push(`<h3>Slutreglering</h3><p>Andel av utfallet ${esc(kr(t.settlement.actualShare))} − fakturerat ${esc(kr(t.settlement.billed))} = ${esc(kr(t.settlement.difference))}</p>`);
    // As the text trace: what was billed, what credit notes took of it (naming them), and the net counted.
    out.push('<table><tr><th>Dokument</th><th>Rad</th><th>Slag</th><th>Belopp</th><th>Krediterat</th><th>Netto</th></tr>');
    for (const l of t.settlement.billedLines) {
      const credited = l.credited === '0.00' ? '' : `${esc(kr(l.credited))}${l.creditedBy ? ` (${esc(l.creditedBy.join(', '))})` : ''}`;
      out.push(`<tr><td>${esc(l.document)}</td><td>${l.lineNo}</td><td>${esc(l.kind)}</td><td class="num">${esc(kr(l.amount))}</td><td class="num">${credited}</td><td class="num">${esc(kr(l.net))}</td></tr>`);
    }
    out.push('</table>');
  }
  if (t.credited) {
    const c = t.credited;
    out.push(`<h3>Krediterad rad</h3><p>${esc(c.invoice)} rad ${c.lineNo}: ${esc(c.description)}, ${esc(kr(c.amount))} (redan krediterat ${esc(kr(c.creditedBefore))})<br><span class="f">${esc(c.provenance.rule)}; ${esc(c.provenance.basis)}</span></p>`);
  }
  out.push('<h3>Underlag</h3><table><tr><th>Uppgift</th><th>Värde</th><th>Anmärkning</th><th>Händelse</th><th>Ström</th><th>Position</th><th>Registrerad</th><th>Av</th><th>Hash (SHA-256)</th></tr>');
  for (const f of t.figures) out.push(`<tr><td>${esc(f.name)}</td><td class="num">${esc(f.value)}</td><td>${esc(f.note ?? '')}</td>${refCells(f.event)}</tr>`);
  out.push('</table>');
  if (t.decisions.length) {
    out.push('<h3>Beslut och referenser</h3><table><tr><th>Slag</th><th>Referens</th><th>Datum</th><th>Händelse</th><th>Ström</th><th>Position</th><th>Registrerad</th><th>Av</th><th>Hash (SHA-256)</th></tr>');
    for (const d of t.decisions) out.push(`<tr><td>${esc(d.kind)}</td><td>${esc(d.reference)}</td><td>${esc(d.date ?? '')}</td>${refCells(d.event)}</tr>`);
    out.push('</table>');
  }
  if (t.problems.length) out.push(`<h3>Avvikelser</h3><ul>${t.problems.map((p) => `<li class="bad">${esc(p)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

/** A self-contained page: inline CSS, no scripts, no external assets or links. */
export function renderTraceHtml(title: string, documents: DocumentTrace[]): string {
  const lines = documents.flatMap((d) => d.lines);
  const matching = lines.filter((l) => l.matches).length;
  const body = documents.map((d) => {
    const head = `<h2>${esc(d.number)} — ${esc(d.document.buyer.name)} (${esc(d.document.buyer.orgnr)})</h2>`
      + `<p>${d.type === 'InvoiceIssued' ? 'Faktura' : 'Kreditfaktura'} ${esc(d.document.issueDate)}, summa ${esc(kr(d.document.total))} (netto ${esc(kr(d.document.totalNet))}, moms ${esc(kr(d.document.totalVat))})<br>`
      + `<span class="src">${esc(at(d.event))}</span><br><code>sha256 ${esc(d.event.hash)}</code></p>`;
    return `<section>${head}\n${d.lines.map(lineHtml).join('\n')}</section>`;
  }).join('\n');
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="summary">${documents.length} dokument, ${rader(lines.length)}; ${matching === lines.length ? `<span class="ok">alla ${lines.length} omräknade belopp stämmer</span>` : `<span class="bad">${lines.length - matching} rader avviker</span>`}.
Varje belopp är härlett på nytt ur händelserna före dokumentet; varje uppgift anger händelsen den kommer från (ström, revision, global position, tid, aktör och SHA-256).</p>
${body}
</body>
</html>
`;
}

// ------------------------------------------------------------------------------------------ audit export

/** Writes the audit package of a year (src/export/audit-package.ts) into `dir`, with progress on a terminal. */
export async function exportAudit(g: GlobalOptions, io: CliIo, year: number, dir: string, chart?: Chart): Promise<AuditManifest> {
  // Raw codec: events.ndjson holds the stored data byte for byte, as it was hashed.
  return withStore(g, io, async (store) => {
    // The directory is made once the store is open: an export refused for a store that is not there left an
    // empty directory behind. One it made is removed again if the export is refused or fails later (a year
    // the books have nothing for is found only after the traces are written), with the files it wrote there.
    const made = !existsSync(dir);
    makeOutputDirectory(dir);
    try {
      return await writePackage(store);
    } catch (err) {
      if (made) removeOwnPackage(dir);
      throw err;
    }
  }, rawCodec);

  async function writePackage(store: EventStore): Promise<AuditManifest> {
    const traced = new ProgressReporter(io, 'Spårar dokument');
    const booked = new ProgressReporter(io, 'Bokför händelser');
    const copied = new ProgressReporter(io, 'Skriver händelser');
    try {
      return await writeAuditPackage(store, year, dir, (io.clock?.now() ?? new Date()).toISOString(), {
        documents: (n) => { if (n % 100 === 0) traced.update(n); },
        books: (n) => { traced.stop(); booked.update(n); },
        events: (n) => { traced.stop(); booked.stop(); copied.update(n); },
      }, chart);
    } finally {
      traced.stop();
      booked.stop();
      copied.stop();
    }
  }
}

/**
 * Removes what an export wrote into the directory it made, and the directory: only the package's own files,
 * and the directory only when nothing else is left in it (rmdir refuses a directory that is not empty).
 */
function removeOwnPackage(dir: string): void {
  try {
    for (const name of AUDIT_FILES) rmSync(join(dir, name), { force: true });
    rmdirSync(dir);
  } catch {
    // Whatever is left is no package (it has no manifest), and the refusal is what the user must see.
  }
}

// ------------------------------------------------------------------------------------------ commands

export function registerTraceCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const g = () => program.opts<GlobalOptions>();

  program
    .command('trace [invoice]')
    .description('hur en fakturarad har räknats fram, tillbaka till händelserna; eller alla rader som fakturerats en medlem under ett år (--member M --year Y)')
    .option('--line <n>', 'bara denna rad', parseLine)
    .option('--member <member>', 'alla rader som fakturerats denna medlem (organisationsnummer eller kommunkod), med --year')
    .option('--year <year>', 'året, med --member', parseYear)
    .option('--format <format>', 'text (standard), json eller html', parseFormat)
    .option('--out <file>', 'skriv till denna fil i stället för i terminalen')
    .action(async (number: string | undefined, o: { line?: number; member?: string; year?: number; format?: Format; out?: string }) => {
      if (number && (o.member || o.year)) throw new UsageError('trace: ange ett fakturanummer eller --member och --year, inte båda');
      if (!number && !(o.member && o.year)) throw new UsageError('trace: ange ett fakturanummer eller --member M --year Y');
      if (o.line !== undefined && !number) throw new UsageError('trace: --line kräver ett fakturanummer');
      if (number) requireDocumentNumber(number);
      const format: Format = o.format ?? (g().json ? 'json' : 'text');
      const member = o.member;
      // Lines that refer to an event whose content no longer matches its hash (checkSeals).
      let unsealedLines = new Set<LineTrace>();
      let billedName: string | undefined;
      const documents = await withStore(g(), io, async (store) => {
        // The member as resolveMember finds it in the state before the document (it joined before it was billed).
        const billedTo = (state: State, orgnr: string) => {
          const found = lookupMember(state, member as string);
          return 'member' in found && found.member.orgnr === orgnr;
        };
        const wanted = number
          ? (doc: { number: string }) => doc.number === number
          : (doc: { year: number; buyer: { orgnr: string } }, _t: unknown, state: State) => doc.year === o.year && billedTo(state, doc.buyer.orgnr);
        // One year's documents (the number's, or --year's) are traced without reading any other year's.
        const reads = number ? documentsOfNumber(number) : { years: [o.year as number] };
        const traced = await traceDocuments(store.readAll(undefined, reads === 'all' ? undefined : documentFilter(reads.years)), wanted);
        // An unknown or mistyped member is refused, never answered with an empty trace.
        if (member !== undefined) billedName = resolveMember(traced.state, member).name;
        unsealedLines = await checkSeals(store, traced.documents);
        return traced.documents;
      });
      if (number && documents.length === 0) throw new NotFoundError(`okänd faktura ${number}`);
      // A member billed nothing that year: said so, not a trace of nothing that "every amount matches".
      if (!number && documents.length === 0) {
        if (format === 'json') io.out(`${toJson({ member, year: o.year, documents: [], lines: 0, matching: 0 })}\n`);
        else io.out(`${billedName ?? member} fakturerades ingenting ${o.year}: det finns inga rader att spåra\n`);
        return;
      }
      if (o.line !== undefined) {
        const d = documents[0];
        if (!d.lines.some((l) => l.line.lineNo === o.line)) throw new NotFoundError(`${number} har ingen rad ${o.line}`);
        d.lines = d.lines.filter((l) => l.line.lineNo === o.line);
      }
      const lines = documents.flatMap((d) => d.lines);
      const unsealed = lines.filter((l) => unsealedLines.has(l)).length;
      const title = number
        ? `Spårning av ${number}${o.line !== undefined ? ` rad ${o.line}` : ''}`
        : `Spårning: ${documents[0]?.document.buyer.name ?? member} ${o.year}`;
      let text: string;
      if (format === 'json') {
        const docs = documents.map((d) => ({ number: d.number, type: d.type, event: d.event, lines: d.lines }));
        text = `${toJson(number ? docs[0] : { member, year: o.year, documents: docs, lines: lines.length, matching: lines.filter((l) => l.matches).length })}\n`;
      } else if (format === 'html') {
        text = renderTraceHtml(title, documents);
      } else {
        const parts = documents.flatMap((d) => d.lines.map(renderTraceText));
        const bad = lines.filter((l) => !l.matches).length;
        const altered = unsealed ? `; ${rader(unsealed)} hänvisar till händelser som har ändrats efter att de skrevs` : '';
        text = `${title}\n\n${parts.join('\n')}\n${rader(lines.length)} i ${documents.length} dokument: ${bad ? `${bad} avviker` : 'varje omräknat belopp stämmer'}${altered}\n`;
      }
      if (o.out) {
        writeOutputFile(o.out, text);
        io.out(format === 'json' ? '' : `Skrev ${o.out} (${rader(lines.length)})\n`);
      } else io.out(text);
      if (unsealed > 0 || lines.some((l) => !l.matches)) setExit(1);
    });

  // `export` may already exist (the SIE export registers it): attach to it rather than make a second one.
  const exportCommand = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('exportera data till andra system och till revisorer');
  exportCommand
    .command('audit')
    .description('skriv ett revisionspaket för ett år som kan kontrollera sig självt: dokument, härledningar, fördelningstabeller, verifikationer och händelser (NDJSON), manifest.json')
    .requiredOption('--year <year>', 'år', parseYear)
    .requiredOption('--out <dir>', 'katalog att skriva till (skapas om den saknas, i en katalog som finns)')
    .option('--chart <file>', 'kontoplan som verifikationerna bokförs mot, som för ledger och export sie (JSON; annars BAS-kontona)')
    .action(async (o: { year: number; out: string; chart?: string }) => {
      const manifest = await exportAudit(g(), io, o.year, o.out, loadChart(o.chart));
      const manifestHash = readSealedJsonFile(join(o.out, 'manifest.json')).sha256;
      const ok = manifest.linesRecomputed === manifest.lines && manifest.vouchersBalanced === manifest.vouchers;
      if (!ok) setExit(1);
      if (g().json) return io.out(`${toJson({ ok, dir: o.out, manifestSha256: manifestHash, ...manifest })}\n`);
      // A package of a log whose lines do not recompute records what the log holds, not that it holds up.
      if (manifest.linesRecomputed !== manifest.lines) io.out(`FEL: ${manifest.lines - manifest.linesRecomputed} av ${manifest.lines} rader räknas inte fram till sitt belopp; se deras spårning i traces.ndjson (samkost trace NUMMER) och kör samkost verify\n`);
      if (manifest.vouchersBalanced !== manifest.vouchers) io.out(`FEL: ${manifest.vouchers - manifest.vouchersBalanced} av ${manifest.vouchers} verifikationer balanserar inte; se dem i vouchers.ndjson och kör samkost verify\n`);
      io.out(`Revisionsunderlag ${o.year} i ${o.out}: ${grouped(manifest.events.count)} händelser i ${grouped(Object.keys(manifest.events.streams).length)} strömmar, `
        + `${grouped(manifest.documents)} dokument, ${grouped(manifest.lines)} rader (${grouped(manifest.linesRecomputed)} omräknade och stämmer), ${grouped(manifest.splitTables)} fördelningstabeller, ${grouped(manifest.vouchers)} verifikationer\n`
        + `manifest.json sha256 ${manifestHash}  (anteckna den; kontrollera med node dist/scripts/check-audit.js ${o.out} --manifest-sha256 ${manifestHash})\n`);
    });
}
