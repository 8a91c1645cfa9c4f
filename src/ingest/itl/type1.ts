// The Type-1 transaction information record: its CNT (content) field and typed access to common fields.
import { itlError } from './errors.ts';
import { fieldText, findField, splitItems, textOf } from './fields.ts';
import { MAX_RECORDS } from './limits.ts';
import type { ItlContentEntry, ItlRecord, ItlTaggedRecord, ItlTransaction } from './types.ts';

/** Reads 1.003 CNT: `1<US>n` then n subfields `type<US>IDC`. Throws ITL_MALFORMED naming the field. */
export function readContentList(type1: ItlTaggedRecord): ItlContentEntry[] {
  const f = findField(type1, 3);
  const where = { record: 0, recordType: 1, field: '1.003' };
  if (!f) throw itlError('ITL_MALFORMED', 'Type-1 record has no CNT field (1.003)', { ...where, offset: type1.offset });
  const subfields = splitItems(textOf(f.value));
  const head = subfields[0];
  if (head.length !== 2 || !/^0*1$/.test(head[0]) || !/^\d{1,4}$/.test(head[1])) {
    throw itlError('ITL_MALFORMED', 'CNT must start with "1<US><record count>"', { ...where, offset: type1.offset });
  }
  const count = Number(head[1]);
  if (count > MAX_RECORDS) throw itlError('ITL_UNSUPPORTED', `CNT lists ${count} records, more than the ${MAX_RECORDS} allowed`, { ...where, offset: type1.offset });
  if (subfields.length - 1 !== count) {
    throw itlError('ITL_MALFORMED', `CNT says ${count} records but lists ${subfields.length - 1}`, { ...where, offset: type1.offset });
  }
  const entries: ItlContentEntry[] = [];
  for (let i = 1; i < subfields.length; i++) {
    const s = subfields[i];
    if (s.length !== 2 || !/^\d{1,2}$/.test(s[0]) || !/^\d{1,3}$/.test(s[1])) {
      throw itlError('ITL_MALFORMED', `CNT entry ${i} must be "<record type><US><IDC>"`, { ...where, offset: type1.offset });
    }
    const type = Number(s[0]);
    if (type < 2 || type > 99) throw itlError('ITL_MALFORMED', `CNT entry ${i} names record type ${type}`, { ...where, offset: type1.offset });
    entries.push({ type, idc: s[1] });
  }
  return entries;
}

/** Typed access to the Type-1 fields most transactions carry. Every field stays readable in `record.fields`. */
export interface Type1Info {
  /** 1.002 VER, e.g. `0500` (ANSI/NIST-ITL 1-2011). */
  version?: string;
  /** 1.003 CNT. */
  content: ItlContentEntry[];
  /** 1.004 TOT: type of transaction. */
  transactionType?: string;
  /** 1.005 DAT: YYYYMMDD. */
  date?: string;
  /** 1.006 PRY: 1..9. */
  priority?: string;
  /** 1.007 DAI: destination agency identifier. */
  destinationAgency?: string;
  /** 1.008 ORI: originating agency identifier. */
  originatingAgency?: string;
  /** 1.009 TCN: transaction control number. */
  transactionControlNumber?: string;
  /** 1.010 TCR: transaction control reference (the TCN this one answers). */
  transactionControlReference?: string;
  /** 1.011 NSR: native scanning resolution, px/mm as `19.69`. */
  nativeScanningResolution?: string;
  /** 1.012 NTR: nominal transmitting resolution. */
  nominalTransmittingResolution?: string;
  /** 1.013 DOM: domain name and version. */
  domain?: { name: string; version?: string };
  /** 1.014 GMT: YYYYMMDDhhmmssZ. */
  gmt?: string;
  /** 1.015 DCS: character sets (index, name, version). */
  characterSets?: { index: string; name?: string; version?: string }[];
}

export function type1Info(t: ItlTransaction): Type1Info {
  const r = t.records[0];
  if (!r || r.kind !== 'tagged' || r.type !== 1) throw itlError('ITL_MALFORMED', 'the first record must be a tagged Type-1 record', { record: 0 });
  const dom = fieldText(r, 13);
  const dcs = fieldText(r, 15);
  const domItems = dom !== undefined ? splitItems(dom)[0] : undefined;
  return {
    version: fieldText(r, 2),
    content: readContentList(r),
    transactionType: fieldText(r, 4),
    date: fieldText(r, 5),
    priority: fieldText(r, 6),
    destinationAgency: fieldText(r, 7),
    originatingAgency: fieldText(r, 8),
    transactionControlNumber: fieldText(r, 9),
    transactionControlReference: fieldText(r, 10),
    nativeScanningResolution: fieldText(r, 11),
    nominalTransmittingResolution: fieldText(r, 12),
    domain: domItems ? { name: domItems[0], version: domItems[1] } : undefined,
    gmt: fieldText(r, 14),
    characterSets: dcs !== undefined
      ? splitItems(dcs).map((s) => ({ index: s[0], name: s[1], version: s[2] }))
      : undefined,
  };
}

/** Type-1 fields the standard makes mandatory (besides LEN, VER and CNT, which parsing needs). */
export const TYPE1_MANDATORY: ReadonlyArray<[number, string]> = [
  [4, 'TOT'], [5, 'DAT'], [7, 'DAI'], [8, 'ORI'], [9, 'TCN'], [11, 'NSR'], [12, 'NTR'],
];

/** CNT as the records now present would spell it: the IDC from each record's x.002 (or binary IDC byte). */
export function contentOf(records: readonly ItlRecord[]): ItlContentEntry[] {
  return records.slice(1).map((r) => ({
    type: r.type,
    idc: (r.kind === 'binary' ? String(r.idc) : (fieldText(r, 2) ?? '0')).padStart(2, '0'),
  }));
}
