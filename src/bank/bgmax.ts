import { bankgiroWritten } from '../../domain/bankgiro';
import { formatSek } from '../../domain/money';
import { oreDecimal, oreText } from '../../domain/ore';

/*
 * Bankgirot's BgMax file of incoming payments to a bankgiro ("Bankgiro Inbetalningar"), read for what the
 * engine records: per payment its reference (an OCR or invoice number), amount, value date and Bankgirot's
 * serial number. Fixed-width records of 80 characters, each starting with its transaction code: 01 start,
 * 05 opening of a section (the receiving bankgiro), 20 payment, 21 deduction, 22/23 extra references,
 * 25–29 information about the payer, 15 deposit (closes a section: the date and the sum of its payments),
 * 70 end (the counts of the whole file). Positions below are 1-based and inclusive, as the specification
 * gives them. Totals and counts are checked, so a cut-off or altered file is refused whole.
 */

export interface BgMaxPayment {
  /** The reference the payer gave, trimmed (an OCR number when `referenceCode` is 2). */
  reference: string;
  /** 0/1 none, 2 OCR, 3 several (extra-reference records follow), 4 a reference that is no OCR, 5 a faulty one. */
  referenceCode: string;
  /** Kronor with two decimals, as a payment command takes it. */
  amount: string;
  /** The section's deposit date, YYYY-MM-DD. */
  date: string;
  /** Bankgirot's serial number of the payment: unique, so it identifies the payment. */
  serial: string;
  /** The line of the payment record in the file (1-based). */
  line: number;
}

export interface BgMaxFile {
  /** 'P' production, 'T' a test file. */
  marker: string;
  /** The receiving bankgiro of each section, as NNNN-NNNN or NNN-NNNN. */
  receivers: string[];
  payments: BgMaxPayment[];
}

/** A file that is not BgMax, or one whose records do not add up; the message names the line. */
export class BgMaxError extends Error {}

export const isBgMax = (text: string): boolean => text.startsWith('01BGMAX');

const field = (record: string, from: number, to: number): string => record.slice(from - 1, to);

const kronor = (ore: number): string => formatSek(oreDecimal(ore));

/** A receiving bankgiro as its ten-digit field gives it (leading zeros), in the written form. */
const bankgiroOf = (digits: string): string => bankgiroWritten(digits.replace(/^0+/, ''));

function ore(text: string, where: string): number {
  if (!/^\d{18}$/.test(text)) throw new BgMaxError(`${where}: beloppet "${text.trim()}" är inte 18 siffror`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new BgMaxError(`${where}: beloppet ${text} är för stort`);
  return n;
}

export function parseBgMax(text: string): BgMaxFile {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const file: BgMaxFile = { marker: '', receivers: [], payments: [] };
  let section: { payments: BgMaxPayment[]; ore: number } | undefined;
  let counts: { payments: number; deductions: number; extra: number; deposits: number } | undefined;
  const seen = { payments: 0, deductions: 0, extra: 0, deposits: 0 };
  lines.forEach((line, i) => {
    const where = `rad ${i + 1}`;
    if (counts) throw new BgMaxError(`${where}: en post efter slutposten (70)`);
    if (line.length > 80) throw new BgMaxError(`${where}: en BgMax-post har 80 tecken, inte ${line.length}`);
    // Trailing spaces are often lost in transit (a mail client, an editor); they hold no field's value.
    const record = line.padEnd(80);
    const code = field(record, 1, 2);
    switch (code) {
      case '01':
        if (i !== 0 || field(record, 3, 22).trim() !== 'BGMAX') throw new BgMaxError(`${where}: startposten (01 BGMAX) ska stå först`);
        file.marker = field(record, 45, 45);
        return;
      case '05':
        if (section) throw new BgMaxError(`${where}: en ny öppningspost (05) innan insättningsposten (15)`);
        section = { payments: [], ore: 0 };
        file.receivers.push(bankgiroOf(field(record, 3, 12)));
        if (field(record, 23, 25) !== 'SEK') throw new BgMaxError(`${where}: valutan är ${field(record, 23, 25)}, inte SEK`);
        return;
      case '20': {
        if (!section) throw new BgMaxError(`${where}: en betalningspost (20) utanför en öppningspost (05)`);
        const amount = ore(field(record, 38, 55), where);
        section.ore += amount;
        section.payments.push({
          reference: field(record, 13, 37).trim(), referenceCode: field(record, 56, 56), amount: oreText(amount), date: '',
          serial: field(record, 58, 69), line: i + 1,
        });
        seen.payments += 1;
        return;
      }
      case '21':
        // A deduction takes money back from the deposit; recording it needs a decision a file cannot make.
        throw new BgMaxError(`${where}: en avdragspost (21); avdrag registreras inte ur fil, utan för hand`);
      case '22':
      case '23':
        throw new BgMaxError(`${where}: en betalning med flera referenser (${code}); dela upp den och registrera den för hand`);
      case '25':
      case '26':
      case '27':
      case '28':
      case '29':
        return;
      case '15': {
        if (!section) throw new BgMaxError(`${where}: en insättningspost (15) utan öppningspost (05)`);
        const d = field(record, 38, 45);
        if (!/^\d{8}$/.test(d)) throw new BgMaxError(`${where}: betalningsdagen "${d}" är inget datum ÅÅÅÅMMDD`);
        const date = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
        if (field(record, 69, 71) !== 'SEK') throw new BgMaxError(`${where}: insättningens valuta är ${field(record, 69, 71)}, inte SEK`);
        const deposit = ore(field(record, 51, 68), where);
        if (deposit !== section.ore) throw new BgMaxError(`${where}: insättningen är ${kronor(deposit)} men avsnittets betalningar summerar till ${kronor(section.ore)}`);
        const count = Number(field(record, 72, 79));
        if (count !== section.payments.length) throw new BgMaxError(`${where}: insättningen anger ${count} betalningar, avsnittet har ${section.payments.length}`);
        for (const p of section.payments) file.payments.push({ ...p, date });
        section = undefined;
        seen.deposits += 1;
        return;
      }
      case '70':
        counts = { payments: Number(field(record, 3, 10)), deductions: Number(field(record, 11, 18)), extra: Number(field(record, 19, 26)), deposits: Number(field(record, 27, 34)) };
        return;
      default:
        throw new BgMaxError(`${where}: okänd transaktionskod ${code}`);
    }
  });
  if (!file.marker) throw new BgMaxError('rad 1: ingen startpost (01 BGMAX)');
  if (section) throw new BgMaxError('filen slutar inne i ett avsnitt: insättningsposten (15) saknas');
  if (!counts) throw new BgMaxError('filen saknar slutpost (70): den är inte hel');
  for (const k of ['payments', 'deductions', 'extra', 'deposits'] as const) {
    if (counts[k] !== seen[k]) throw new BgMaxError(`slutposten anger ${counts[k]} ${COUNT_WORDS[k]}, filen har ${seen[k]}: den är inte hel`);
  }
  return file;
}

const COUNT_WORDS = { payments: 'betalningsposter', deductions: 'avdragsposter', extra: 'extra referensposter', deposits: 'insättningsposter' } as const;
