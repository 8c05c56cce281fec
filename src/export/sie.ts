import Decimal from 'decimal.js';
import iconv from 'iconv-lite';
import { amountString, MoneyFormatError, parseAmount, sum } from '../../domain/money';
import { IsoDate } from '../../domain/primitives';

/**
 * SIE 4 (utgåva 4B) for the books: a writer, a CP437 encoder and a small reader for our own files.
 *
 * Format rules taken from the specification:
 * - fields are separated by spaces or tabs; a field with a space (or empty, or with a quote) is quoted,
 *   and a quote inside a quoted field is written \" — the spec defines no other escape, so a backslash
 *   is literal, except that one just before the closing quote would swallow it (rejected below);
 * - control characters (ASCII 0–31, 127) must not occur in fields;
 * - the file is codepage 437 (#FORMAT PC8): text fields are transliterated to what it holds (cp437Text), as
 *   free text stored in events may hold any character and must never stop a year's export;
 * - amounts have a decimal point and at most two decimals, a leading minus when negative;
 * - #SIETYP is 4 for both 4E and 4I: the file itself does not say which (only the .SE/.SI extension
 *   does), so the reader calls a file 4E when it has #IB/#UB/#RES and 4I otherwise.
 */

export interface SieAccount { number: string; name: string; type?: 'T' | 'S' | 'K' | 'I' }
export interface SieTransaction { account: string; amount: Decimal; text?: string }
export interface SieVoucher { series: string; number: string; date: string; text: string; transactions: SieTransaction[] }
export interface SieBalance { account: string; amount: Decimal }
export interface SieDocument {
  type: '4E' | '4I';
  program: { name: string; version: string };
  generated: string;
  company: { name: string; orgnr: string };
  fiscalYear: { start: string; end: string };
  chartType?: string;
  accounts: SieAccount[];
  openingBalances?: SieBalance[];
  closingBalances?: SieBalance[];
  results?: SieBalance[];
  vouchers: SieVoucher[];
}

/**
 * Why a document cannot be written as SIE (in Swedish: finance reads it as `samkost export sie`'s refusal), or
 * what is wrong in a file read (in English, prefixed `line N: `: only tests and developers read files). `line`
 * is where in the file, when the fault has a line.
 */
export class SieError extends Error {
  constructor(message: string, readonly line?: number) {
    super(message);
    this.name = 'SieError';
  }
}

/** A fault in a file being read, on its line. */
const readFault = (message: string, line: number): SieError => new SieError(`line ${line}: ${message}`, line);

const CRLF = '\r\n';
const ACCOUNT_TYPES = ['T', 'S', 'K', 'I'] as const;

// ---------------------------------------------------------------------------------------------- writer

/** The characters codepage 437 has a byte for, as iconv-lite decodes its 256 bytes. */
const CP437 = new Set(iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, i) => i)), 'cp437'));

/** Characters people type into free text that CP437 lacks (or, a non-breaking space, has but should not), as what it holds. */
const LOOK_ALIKES: Record<string, string> = {
  // § is in nearly every Swedish decision reference ("Styrelsen 2024-03-12 §4", "Avtal §4"), and CP437 has it
  // only at 0x15, a control byte SIE forbids. It is written "par.", the Swedish abbreviation of paragraf (and
  // paragrafer: "§§ 4-6" is "par. 4-6", cp437Text), so "Avtal §4" reads "Avtal par.4". Not "p": in a Swedish
  // reference "p." is punkt ("3 kap. 2 § p. 4"), so "Avtal p4" would name another thing.
  '\u00A7': 'par.',
  '\u20AC': 'EUR',
  '\u2018': "'", '\u2019': "'", '\u201A': "'", '\u201B': "'", '\u2039': "'", '\u203A': "'", '\u2032': "'",
  '\u00B4': "'", // an acute accent typed for an apostrophe ("Region´s"), which NFKD would leave a space
  '\u201C': '"', '\u201D': '"', '\u201E': '"', '\u201F': '"', '\u2033': '"',
  '\u2212': '-', '\u2026': '...',
  // Signs of quantity and order that have no look-alike by NFKD: × in "2 × 500 kr", ≠ (which NFKD would make
  // "=", its opposite), the fraction slash of ¾, arrows, a bullet.
  '\u00D7': 'x', '\u2260': '<>', '\u2044': '/', '\u2192': '->', '\u2190': '<-', '\u2022': '*',
  '\u00A9': '(c)', '\u00AE': '(R)', '\u0153': 'oe', '\u0152': 'OE',
  // Letters with a stroke have no decomposition for NFKD to take the base letter from.
  '\u00F8': 'o', '\u00D8': 'O', '\u0142': 'l', '\u0141': 'L', '\u0111': 'd', '\u0110': 'D',
};

/** One character as CP437 can hold it, without NFKD: undefined when it needs more than a look-up. */
function lookAlike(ch: string): string | undefined {
  const mapped = LOOK_ALIKES[ch];
  if (mapped !== undefined) return mapped;
  if (/[\p{Zs}\p{Zl}\p{Zp}]/u.test(ch)) return ' '; // no-break, narrow, thin, em… spaces; line separators
  if (CP437.has(ch)) return ch;
  if (/\p{Pd}/u.test(ch)) return '-'; // en and em dashes, hyphen, figure dash, …
  if (/\p{Cf}/u.test(ch)) return ''; // invisible: soft hyphen, zero-width space, byte order mark, direction marks
  return undefined;
}

/**
 * Free text (a name, a reason) as codepage 437 can hold it, so that no character anyone typed can stop a year's
 * export: typographic quotes, dashes, spaces and the ellipsis as their ASCII look-alikes, € as EUR, § as par.,
 * × as x (LOOK_ALIKES), a letter
 * with a diacritic CP437 lacks as its base letter (Unicode NFKD: ł, ř, č as l, r, c; å, ä, ö, é, ü, which CP437
 * has, stay), and anything else as ?. The text is composed (NFC) first, so that a decomposed å stays å.
 * A control character (a newline or tab typed into a reason) is a space: the spec forbids them in fields,
 * and a stored text can never be changed, so refusing one would stop the year's export for good.
 */
export function cp437Text(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  // eslint-disable-next-line no-control-regex -- exactly the characters SIE forbids in a field
  if (/[\x00-\x1f\x7f]/.test(s)) return cp437Text(s.replace(/[\x00-\x1f\x7f]/g, ' '));
  let out = '';
  // "§§" (paragrafer) is abbreviated as "§" (paragraf) is: "par.", not "par.par.".
  for (const ch of s.normalize('NFC').replace(/\u00A7\u00A7/g, '\u00A7')) {
    const direct = lookAlike(ch);
    if (direct !== undefined) {
      out += direct;
      continue;
    }
    // Decomposed: the base letter and its marks (dropped), or a compatibility form's plain letters ("ﬁ" as fi).
    // A mark with no base (it stayed apart under NFC) leaves nothing; what has no part CP437 holds is one '?'.
    const parts = [...ch.normalize('NFKD')].filter((p) => !/\p{M}/u.test(p)).map((p) => lookAlike(p) ?? '?');
    out += parts.length > 0 && parts.every((p) => p === '?') ? '?' : parts.join('');
  }
  return out;
}

/** ASCII 0–31 and 127, which the spec forbids in fields (a newline would also split the record). */
const isControl = (ch: string): boolean => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f;

function checkText(s: string, what: string): void {
  if ([...s].some(isControl)) throw new SieError(`${what} innehåller ett styrtecken, som SIE inte tillåter: ${JSON.stringify(s)}`);
}

/** Always quoted: names and texts, so that a reader never has to guess. Transliterated to CP437 (cp437Text). */
function quote(text: string, what: string): string {
  const s = cp437Text(text);
  checkText(s, what);
  // A closing backslash would escape the closing quote: a space after it keeps the text and the field.
  return `"${(s.endsWith('\\') ? `${s} ` : s).replace(/"/g, '\\"')}"`;
}

/** Quoted only when it has to be: empty, whitespace, a quote or an object-list brace. Transliterated to CP437. */
function field(text: string, what: string): string {
  const s = cp437Text(text);
  checkText(s, what);
  return s === '' || /[\s"{}]/.test(s) ? quote(s, what) : s;
}

function sieDate(iso: string, what: string): string {
  if (!IsoDate.safeParse(iso).success) throw new SieError(`${what} är inte ett datum ÅÅÅÅ-MM-DD: "${iso}"`);
  return iso.replace(/-/g, '');
}

function sieAmount(m: Decimal, what: string): string {
  try {
    return amountString(m);
  } catch {
    throw new SieError(`${what}: beloppet ${m.toString()} är inte ett helt antal öre`);
  }
}

export function writeSie(doc: SieDocument): string {
  if (!/^\d{6}-\d{4}$/.test(doc.company.orgnr)) throw new SieError(`organisationsnumret ska vara NNNNNN-NNNN, inte "${doc.company.orgnr}"`);
  const known = new Set<string>();
  for (const a of doc.accounts) {
    // Digits only keeps account fields unquoted and unambiguous (BAS numbers are digits anyway).
    if (!/^\d+$/.test(a.number)) throw new SieError(`ett kontonummer får bara innehålla siffror, inte "${a.number}"`);
    if (known.has(a.number)) throw new SieError(`konto ${a.number} finns två gånger i kontoplanen`);
    known.add(a.number);
  }
  const account = (nr: string, where: string): string => {
    if (!known.has(nr)) throw new SieError(`${where}: konto ${nr} finns inte i kontoplanen`);
    return nr;
  };

  const lines = [
    '#FLAGGA 0',
    `#PROGRAM ${quote(doc.program.name, 'programnamnet')} ${field(doc.program.version, 'programversionen')}`,
    '#FORMAT PC8',
    `#GEN ${sieDate(doc.generated, 'filens skapandedatum')}`,
    '#SIETYP 4',
    `#FNAMN ${quote(doc.company.name, 'företagsnamnet')}`,
    `#ORGNR ${doc.company.orgnr}`,
    `#RAR 0 ${sieDate(doc.fiscalYear.start, 'räkenskapsårets första dag')} ${sieDate(doc.fiscalYear.end, 'räkenskapsårets sista dag')}`,
    `#KPTYP ${field(doc.chartType ?? 'BAS2014', 'kontoplanstypen')}`,
  ];
  for (const a of doc.accounts) {
    lines.push(`#KONTO ${a.number} ${quote(a.name, `namnet på konto ${a.number}`)}`);
    if (a.type) lines.push(`#KTYP ${a.number} ${a.type}`);
  }

  const balances: [string, SieBalance[] | undefined][] = [
    ['IB', doc.openingBalances],
    ['UB', doc.closingBalances],
    ['RES', doc.results],
  ];
  for (const [label, list] of balances) {
    if (!list?.length) continue;
    // 4I is a batch of vouchers for someone else's books: balances there would be misread as facts.
    if (doc.type !== '4E') throw new SieError(`#${label} får bara finnas i en 4E-fil`);
    for (const b of list) {
      const where = `#${label} ${b.account}`;
      lines.push(`#${label} 0 ${account(b.account, where)} ${sieAmount(b.amount, where)}`);
    }
  }

  for (const v of doc.vouchers) {
    const name = `verifikation ${v.series} ${v.number}`;
    if (v.transactions.length === 0) throw new SieError(`${name} har inga transaktioner`);
    const total = sum(v.transactions.map((t) => t.amount));
    if (!total.isZero()) throw new SieError(`${name} balanserar inte: transaktionerna summerar till ${total.toFixed(2)}`);
    lines.push(
      `#VER ${quote(v.series, `serien i ${name}`)} ${quote(v.number, `numret i ${name}`)} ${sieDate(v.date, `datumet i ${name}`)} ${quote(v.text, `texten i ${name}`)}`,
      '{',
    );
    for (const t of v.transactions) {
      // transdat comes before transtext; "" leaves it empty so the voucher date applies.
      const text = t.text ? ` "" ${quote(t.text, `en transaktionstext i ${name}`)}` : '';
      lines.push(`   #TRANS ${account(t.account, name)} {} ${sieAmount(t.amount, name)}${text}`);
    }
    lines.push('}');
  }
  return lines.map((l) => l + CRLF).join('');
}

// --------------------------------------------------------------------------------------------- encoder

/**
 * The file's bytes in codepage 437. What writeSie writes always encodes (its text fields are transliterated);
 * any other text with a character CP437 lacks is refused by line, never written as iconv-lite's silent '?'.
 */
export function encodeSie(text: string): Buffer {
  const bytes = iconv.encode(text, 'cp437');
  // iconv-lite silently writes '?' for what CP437 lacks: text that did not come through writeSie is refused.
  if (iconv.decode(bytes, 'cp437') !== text) {
    let offset = 0;
    for (const ch of text) {
      if (iconv.decode(iconv.encode(ch, 'cp437'), 'cp437') !== ch) {
        const code = `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
        const line = text.slice(0, offset).split('\n').length;
        throw new SieError(`rad ${line} i SIE-filen: tecknet "${ch}" (${code}) finns inte i teckentabell 437, som SIE använder`, line);
      }
      offset += ch.length;
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------- reader

interface Token { text: string; kind: 'plain' | 'quoted' | 'list' }

function tokenize(line: string, no: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"') {
      let text = '';
      for (i++; ; i++) {
        if (i >= line.length) throw readFault('unterminated quoted field', no);
        if (line[i] === '\\' && line[i + 1] === '"') text += line[++i];
        else if (line[i] === '"') break;
        else text += line[i];
      }
      i++;
      tokens.push({ text, kind: 'quoted' });
    } else if (c === '{') {
      const end = line.indexOf('}', i);
      if (end < 0) throw readFault('unterminated object list {', no);
      tokens.push({ text: line.slice(i + 1, end).trim(), kind: 'list' });
      i = end + 1;
    } else {
      const start = i;
      while (i < line.length && !/[\s"{]/.test(line[i])) i++;
      tokens.push({ text: line.slice(start, i), kind: 'plain' });
    }
  }
  return tokens;
}

function fromSieDate(s: string, no: number): string {
  if (!/^\d{8}$/.test(s)) throw readFault(`not a date YYYYMMDD: "${s}"`, no);
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}`;
  if (!IsoDate.safeParse(iso).success) throw readFault(`not a calendar date: "${s}"`, no);
  return iso;
}

function fromSieAmount(s: string, no: number): Decimal {
  try {
    return parseAmount(s);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw readFault(`not an amount: "${s}"`, no);
    throw err;
  }
}

/**
 * Reads what writeSie writes, and ordinary SIE 4 files from elsewhere as far as the SieDocument shape
 * goes: unknown records are skipped (the spec asks readers to), only year 0 of #RAR/#IB/#UB/#RES is
 * kept, object lists are parsed but dropped, #BTRANS/#RTRANS are skipped (an #RTRANS is always
 * followed by the same row as #TRANS).
 */
export function readSie(bytes: Buffer): SieDocument {
  const lines = iconv.decode(bytes, 'cp437').split(/\r?\n/);
  const head: Partial<Pick<SieDocument, 'program' | 'generated' | 'fiscalYear' | 'chartType'>> = {};
  let name: string | undefined;
  let orgnr: string | undefined;
  const accounts: SieAccount[] = [];
  const types = new Map<string, { type: SieAccount['type']; no: number }>();
  const balances: Record<'IB' | 'UB' | 'RES', SieBalance[]> = { IB: [], UB: [], RES: [] };
  const vouchers: SieVoucher[] = [];
  // The voucher being read: its #VER line number, and whether its '{' has been seen.
  let open: { voucher: SieVoucher; no: number; braced: boolean } | undefined;

  for (const [index, raw] of lines.entries()) {
    const no = index + 1;
    const line = raw.trim();
    if (line === '') continue;
    if (open && !open.braced) {
      if (line !== '{') throw readFault(`expected "{" after the #VER on line ${open.no}`, no);
      open.braced = true;
      continue;
    }
    if (line === '}') {
      if (!open) throw readFault('"}" without an open voucher', no);
      const { voucher } = open;
      const total = sum(voucher.transactions.map((t) => t.amount));
      if (!total.isZero()) throw readFault(`voucher ${voucher.series} ${voucher.number} does not balance (${total.toFixed(2)})`, open.no);
      vouchers.push(voucher);
      open = undefined;
      continue;
    }
    if (line === '{') throw readFault('"{" without a #VER before it', no);
    if (!line.startsWith('#')) throw readFault(`expected a record starting with #: "${line}"`, no);

    const [labelToken, ...f] = tokenize(line, no);
    const label = labelToken.text.toUpperCase();
    const need = (n: number): void => {
      if (f.length < n) throw readFault(`${label} needs ${n} fields, has ${f.length}`, no);
    };
    const text = (i: number): string => {
      if (f[i]?.kind === 'list') throw readFault(`${label}: field ${i + 1} is an object list`, no);
      return f[i]?.text ?? '';
    };

    if (open) {
      if (label === '#BTRANS' || label === '#RTRANS') continue;
      if (label !== '#TRANS') throw readFault(`${label} inside a voucher (missing "}"?)`, no);
      need(3);
      if (f[1].kind !== 'list') throw readFault('#TRANS: the second field must be an object list {}', no);
      const t: SieTransaction = { account: text(0), amount: fromSieAmount(text(2), no) };
      if (text(4)) t.text = text(4);
      open.voucher.transactions.push(t);
      continue;
    }

    switch (label) {
      case '#TRANS':
      case '#BTRANS':
      case '#RTRANS':
        throw readFault(`${label} outside a voucher`, no);
      case '#FORMAT':
        if (text(0) !== 'PC8') throw readFault(`unsupported #FORMAT "${text(0)}" (only PC8)`, no);
        break;
      case '#SIETYP':
        if (text(0) !== '4') throw readFault(`not a SIE 4 file (#SIETYP ${text(0)})`, no);
        break;
      case '#PROGRAM':
        need(2);
        head.program = { name: text(0), version: text(1) };
        break;
      case '#GEN':
        need(1);
        head.generated = fromSieDate(text(0), no);
        break;
      case '#FNAMN':
        need(1);
        name = text(0);
        break;
      case '#ORGNR':
        need(1);
        orgnr = text(0);
        break;
      case '#RAR':
        need(3);
        if (text(0) === '0') head.fiscalYear = { start: fromSieDate(text(1), no), end: fromSieDate(text(2), no) };
        break;
      case '#KPTYP':
        need(1);
        head.chartType = text(0);
        break;
      case '#KONTO':
        need(2);
        accounts.push({ number: text(0), name: text(1) });
        break;
      case '#KTYP': {
        need(2);
        const type = ACCOUNT_TYPES.find((t) => t === text(1));
        if (!type) throw readFault(`#KTYP: unknown account type "${text(1)}"`, no);
        types.set(text(0), { type, no });
        break;
      }
      case '#IB':
      case '#UB':
      case '#RES':
        need(3);
        if (text(0) === '0') balances[label.slice(1) as keyof typeof balances].push({ account: text(1), amount: fromSieAmount(text(2), no) });
        break;
      case '#VER':
        need(3);
        open = {
          voucher: { series: text(0), number: text(1), date: fromSieDate(text(2), no), text: text(3), transactions: [] },
          no,
          braced: false,
        };
        break;
      default:
        break; // #FLAGGA, #KSUMMA, #ADRESS, #DIM, …: nothing a SieDocument holds.
    }
  }

  if (open) throw readFault(`voucher ${open.voucher.series} ${open.voucher.number} has no closing "}"`, open.no);
  for (const [nr, { type, no }] of types) {
    const account = accounts.find((a) => a.number === nr);
    if (!account) throw readFault(`#KTYP for account ${nr}, which has no #KONTO`, no);
    account.type = type;
  }
  const missing = (record: string): never => {
    throw new SieError(`the file has no ${record}`);
  };

  const isExport = balances.IB.length + balances.UB.length + balances.RES.length > 0;
  return {
    type: isExport ? '4E' : '4I',
    program: head.program ?? missing('#PROGRAM'),
    generated: head.generated ?? missing('#GEN'),
    company: { name: name ?? missing('#FNAMN'), orgnr: orgnr ?? missing('#ORGNR') },
    fiscalYear: head.fiscalYear ?? missing('#RAR 0'),
    ...(head.chartType !== undefined && { chartType: head.chartType }),
    accounts,
    ...(isExport && { openingBalances: balances.IB, closingBalances: balances.UB, results: balances.RES }),
    vouchers,
  };
}
