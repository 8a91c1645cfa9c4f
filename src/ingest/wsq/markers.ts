// WSQ markers (FBI IAFIS-IC-0110, section 3): 0xFFA0-0xFFA8, and their names for messages.
export const MARKER = {
  SOI: 0xffa0, EOI: 0xffa1, SOF: 0xffa2, SOB: 0xffa3, DTT: 0xffa4, DQT: 0xffa5, DHT: 0xffa6, DRT: 0xffa7, COM: 0xffa8,
} as const;

const NAMES = new Map<number, string>(Object.entries(MARKER).map(([k, v]) => [v, k]));

export const markerName = (m: number): string => NAMES.get(m) ?? `0x${m.toString(16).toUpperCase().padStart(4, '0')}`;
