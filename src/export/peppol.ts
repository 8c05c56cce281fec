import Decimal from 'decimal.js';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { bankgiroDigits } from '../../domain/bankgiro';
import { ocrOf } from '../../domain/ocr';
import type { CreditNoteIssued, InvoiceIssued, Party } from '../../domain/events/billing';
import { periodDates, suppliedPeriod } from '../../domain/billing/periods';

/*
 * An invoice or credit note as a Peppol BIS Billing 3.0 document (EN 16931, UBL 2.1): how Swedish public
 * buyers receive invoices. Elements are written in the order the UBL schema requires. A Swedish legal
 * entity is addressed by its organisationsnummer (scheme 0007). Membership invoices carry only category O
 * ("not subject to VAT"), which the rules (BR-O-2) allow only without a seller VAT identifier; service
 * invoices carry category S at the configured rate with it.
 */

const CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const NS = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
};
/** Why a line is not subject to VAT (BT-120), required with category O (BR-O-10). */
const OUT_OF_SCOPE_REASON = 'Medlemsavgift och medlemsinsats omfattas inte av mervärdesskatt';

/** A document the rules would reject, refused before any XML is written: the message says what to mend. */
export class PeppolExportError extends Error {}

/** An organisationsnummer as Peppol's 0007 identifier: its ten digits (PEPPOL-COMMON-R049). */
export function peppolId(orgnr: string): string {
  const digits = orgnr.replace(/\D/g, '');
  if (digits.length !== 10) throw new PeppolExportError(`organisationsnumret ${orgnr} har inte tio siffror, vilket Peppols schema 0007 kräver`);
  return digits;
}

/** A Swedish VAT registration number as the rules want it: SE, twelve digits (BR-CO-09, SE-R-001, SE-R-002). */
const SWEDISH_VAT_NUMBER = /^SE\d{12}$/;

/**
 * What the rules require of the document as a whole, checked before writing: one VAT category kind per
 * document (category O excludes every other, BR-O-11, and a seller VAT number, BR-O-2), and for category
 * S the seller's VAT number (BR-S-02) in the Swedish form.
 */
function checkDocument(doc: InvoiceIssued | CreditNoteIssued): void {
  const categories = new Set(doc.vat.map((v) => v.category));
  if (categories.has('O') && categories.size > 1)
    throw new PeppolExportError(`${doc.number} blandar momskategorierna ${[...categories].join(' och ')}; Peppol tillåter kategori O bara ensam (BR-O-11)`);
  if (categories.has('S') && !SWEDISH_VAT_NUMBER.test(doc.seller.vatNumber ?? ''))
    throw new PeppolExportError(
      `${doc.number} har moms, så säljarens momsregistreringsnummer måste vara SE följt av tolv siffror (BR-S-02, SE-R-001); ${doc.seller.vatNumber === undefined ? 'det saknas' : `det är "${doc.seller.vatNumber}"`}: ange seller.vatNumber i samkost.config.json före fakturakörningen`,
    );
}

/**
 * What XML 1.0 does not allow anywhere in a document (its Char production): the C0 controls but tab, line
 * feed and carriage return, U+FFFE, U+FFFF and a surrogate without its pair (with the `u` flag a class of
 * surrogates matches only a lone one). xmlbuilder2 escapes markup but writes these as they are.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it is for
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;

/**
 * Refuses XML that holds a character XML 1.0 forbids, naming the element and the character: a text stored
 * before commands refused such characters (src/app/command-identity.ts#CONTROL) would otherwise be written
 * into a document no receiver can parse, and a lone surrogate silently replaced when the file is written.
 */
function checkCharacters(number: string, xml: string): void {
  const found = NOT_XML.exec(xml);
  if (found === null) return;
  const element = /^<\/?([\w:.-]+)/.exec(xml.slice(xml.lastIndexOf('<', found.index)))?.[1] ?? 'dokumentet';
  const code = `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  throw new PeppolExportError(
    `${number} kan inte skrivas som Peppol: texten i ${element} har tecknet ${code}, som XML 1.0 inte tillåter; dokumentet är lagrat så och ändras inte, så skicka det på annat sätt (samkost invoice show ${number})`,
  );
}

const percent = (rate: string): string => new Decimal(rate).mul(100).toString();

function party(p: XMLBuilder, who: Party, withVat: boolean): void {
  const party = p.ele('cac:Party');
  party.ele('cbc:EndpointID', { schemeID: '0007' }).txt(peppolId(who.orgnr));
  party.ele('cac:PartyName').ele('cbc:Name').txt(who.name);
  const address = party.ele('cac:PostalAddress');
  if (who.address?.street) address.ele('cbc:StreetName').txt(who.address.street);
  if (who.address?.city) address.ele('cbc:CityName').txt(who.address.city);
  if (who.address?.postalCode) address.ele('cbc:PostalZone').txt(who.address.postalCode);
  address.ele('cac:Country').ele('cbc:IdentificationCode').txt('SE');
  if (withVat && who.vatNumber) {
    const scheme = party.ele('cac:PartyTaxScheme');
    scheme.ele('cbc:CompanyID').txt(who.vatNumber);
    scheme.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
  }
  const legal = party.ele('cac:PartyLegalEntity');
  legal.ele('cbc:RegistrationName').txt(who.name);
  legal.ele('cbc:CompanyID', { schemeID: '0007' }).txt(peppolId(who.orgnr));
}

function taxCategory(parent: XMLBuilder, element: 'cac:TaxCategory' | 'cac:ClassifiedTaxCategory', category: string, rate: string, withReason: boolean): void {
  const c = parent.ele(element);
  c.ele('cbc:ID').txt(category);
  if (category !== 'O') c.ele('cbc:Percent').txt(percent(rate));
  if (category === 'O' && withReason) c.ele('cbc:TaxExemptionReason').txt(OUT_OF_SCOPE_REASON);
  c.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
}

/**
 * Texts as the one document-level note Peppol allows (PEPPOL-EN16931-R002): each a sentence of its own, a
 * full stop after one that does not end with punctuation. Joined by a space alone, a credit note's reason
 * ran into the VAT basis ("Utträde 2024-12-31 Medlemsavgift och medlemsinsats omfattas inte …").
 */
export function documentNote(texts: readonly (string | undefined)[]): string {
  let note = '';
  for (const text of texts) {
    const t = text?.trim();
    if (!t) continue;
    note = note === '' ? t : `${/[.!?…:;,]$/.test(note) ? note : `${note}.`} ${t}`;
  }
  return note;
}

/**
 * The Peppol BIS Billing 3.0 XML of a stored document. The buyer reference (BT-10) is the one the
 * document carries (the member's, `samkost member details --reference`), unless `buyerReference`
 * overrides it for this export (it is recorded nowhere); a member that gave none is referred to by its
 * organisationsnummer. A blank override is refused: it would be replaced by the next source unseen.
 */
export function peppolXml(doc: InvoiceIssued | CreditNoteIssued, buyerReference?: string): string {
  checkDocument(doc);
  if (buyerReference !== undefined && buyerReference.trim() === '') throw new PeppolExportError('köparens referens (BT-10) är tom; ange en, eller ingen för dokumentets egen');
  const credit = 'credits' in doc;
  const root = credit ? 'CreditNote' : 'Invoice';
  const xml = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(NS[root], root, { 'xmlns:cac': NS.cac, 'xmlns:cbc': NS.cbc });
  const amount = (parent: XMLBuilder, name: string, value: string) => parent.ele(name, { currencyID: doc.currency }).txt(new Decimal(value).toFixed(2));
  const outOfScope = doc.vat.every((v) => v.category === 'O');

  xml.ele('cbc:CustomizationID').txt(CUSTOMIZATION);
  xml.ele('cbc:ProfileID').txt(PROFILE);
  xml.ele('cbc:ID').txt(doc.number);
  xml.ele('cbc:IssueDate').txt(doc.issueDate);
  if (!credit) xml.ele('cbc:DueDate').txt(doc.dueDate);
  xml.ele(credit ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode').txt(credit ? '381' : '380');
  // One note at most (PEPPOL-EN16931-R002): a credit note's reason and the VAT basis together.
  const note = documentNote([credit ? doc.reason : undefined, doc.legalBasis]);
  if (note) xml.ele('cbc:Note').txt(note);
  xml.ele('cbc:DocumentCurrencyCode').txt(doc.currency);
  // An empty stored reference would be an empty element (PEPPOL-EN16931-R008): the next source is used instead.
  xml.ele('cbc:BuyerReference').txt(buyerReference?.trim() ?? (doc.buyer.reference?.trim() || peppolId(doc.buyer.orgnr)));
  // The supply period (BG-14) an invoice bills: its run's period, the settled year, or a membership fee's year.
  if (!credit) {
    const { start, end } = periodDates(suppliedPeriod(doc));
    const period = xml.ele('cac:InvoicePeriod');
    period.ele('cbc:StartDate').txt(start);
    period.ele('cbc:EndDate').txt(end);
  }
  for (const number of credit ? doc.credits : (doc.references ?? [])) {
    xml.ele('cac:BillingReference').ele('cac:InvoiceDocumentReference').ele('cbc:ID').txt(number);
  }
  party(xml.ele('cac:AccountingSupplierParty'), doc.seller, !outOfScope);
  party(xml.ele('cac:AccountingCustomerParty'), doc.buyer, false);

  // Where to pay (BG-16): a credit transfer to the seller's bankgiro, the invoice's
  // OCR number (domain/ocr.ts) as the payment's reference (BT-83), as the Swedish rules ask (SE-R-008, SE-R-009, SE-R-011).
  if (!credit && doc.seller.bankgiro) {
    const means = xml.ele('cac:PaymentMeans');
    means.ele('cbc:PaymentMeansCode', { name: 'Credit transfer' }).txt('30');
    means.ele('cbc:PaymentID').txt(ocrOf(doc.number) ?? doc.number);
    const account = means.ele('cac:PayeeFinancialAccount');
    account.ele('cbc:ID').txt(bankgiroDigits(doc.seller.bankgiro));
    account.ele('cac:FinancialInstitutionBranch').ele('cbc:ID').txt('SE:BANKGIRO');
  }
  // A credit note has no due date; its terms say how the amount is settled (BR-CO-25: a positive amount
  // due needs a due date or terms).
  if (credit) xml.ele('cac:PaymentTerms').ele('cbc:Note').txt(`Krediteras mot ${doc.credits.join(', ')}`);

  const tax = xml.ele('cac:TaxTotal');
  amount(tax, 'cbc:TaxAmount', doc.totalVat);
  for (const v of doc.vat) {
    const sub = tax.ele('cac:TaxSubtotal');
    amount(sub, 'cbc:TaxableAmount', v.taxable);
    amount(sub, 'cbc:TaxAmount', v.vat);
    taxCategory(sub, 'cac:TaxCategory', v.category, v.rate, true);
  }
  const totals = xml.ele('cac:LegalMonetaryTotal');
  amount(totals, 'cbc:LineExtensionAmount', doc.totalNet);
  amount(totals, 'cbc:TaxExclusiveAmount', doc.totalNet);
  amount(totals, 'cbc:TaxInclusiveAmount', doc.total);
  amount(totals, 'cbc:PayableAmount', doc.total);

  for (const l of doc.lines) {
    const line = xml.ele(credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine');
    line.ele('cbc:ID').txt(String(l.lineNo));
    line.ele(credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', { unitCode: 'C62' }).txt('1');
    amount(line, 'cbc:LineExtensionAmount', l.amount);
    const item = line.ele('cac:Item');
    item.ele('cbc:Name').txt(l.description);
    taxCategory(item, 'cac:ClassifiedTaxCategory', l.vatCategory, l.vatRate, false);
    amount(line.ele('cac:Price'), 'cbc:PriceAmount', l.amount);
  }
  const text = xml.end({ prettyPrint: true });
  checkCharacters(doc.number, text);
  return text;
}
