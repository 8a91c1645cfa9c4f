// The API's shapes as the page reads them (see /docs for the full reference).
export type Role = 'admin' | 'enroller' | 'kiosk' | 'examiner';
export interface Me { id: string; role: Role; agency: string; label: string | null }

export interface Scores { face?: number; finger?: number }
export interface CaseSummary {
  id: string; checkId: string; status: 'pending' | 'closed'; outcome: string | null; decision: 'hit' | 'review' | 'no-hit';
  agency: string; candidates: number; undecided: number; createdAt: string; bestScore?: number | null; watchlists?: string[];
}
export interface Matched { sampleId: number; modality: 'face' | 'finger'; score: number; probe?: number; position: number | null; format: string | null; source: string | null }
export interface CaseCandidate {
  subjectId: string | null; handle: string; watchlist: string; agency: string; score: number; scores: Scores; level: string;
  reference: string | null; name: string | null; disclosed?: boolean; outcome: string | null; note: string | null; matched: Matched[];
}
export interface CaseDetail {
  id: string; checkId: string; status: string; outcome: string | null; agency: string; createdAt: string; closedAt: string | null;
  probe: { modality: 'face' | 'finger'; position: number | null; format: string; data: string }[];
  candidates: CaseCandidate[];
  decisions: { candidate: string; outcome: string; note: string | null; agency: string; at: string }[];
  verifications?: { outcome: 'verified' | 'disputed'; note: string | null; agency: string; at: string; current: boolean }[];
}
export interface AuditEntry { id: number; at: string; keyId: string | null; role: string | null; agency: string | null; action: string; details: unknown }

export interface MinutiaeSet { position: number; width: number; height: number; minutiae: { x: number; y: number; angle: number; type: string; quality: number }[] }
export interface FingerComparison {
  caseId: string; handle: string;
  fingers: { probeIndex: number; sampleId: number; score: number; probe: MinutiaeSet; enrolled: MinutiaeSet; pairs: [number, number][]; transform: { rotation: number; tx: number; ty: number } }[];
}

export interface Hit {
  handle: string; caseId: string; requestingAgency: string; watchlist: string; subjectId: string; reference: string | null; name: string | null;
  score: number; scores: Scores; level: string; disclosed: boolean; disclosedAt: string | null; createdAt: string; status?: string;
}

export interface CheckCandidate { subjectId: string | null; handle: string; watchlist: string; agency?: string; score: number; scores: Scores; reference: string | null; name: string | null; level?: string }
export interface CheckResult {
  checkId: string; decision: 'hit' | 'review' | 'no-hit'; candidates: CheckCandidate[]; caseId: string | null;
  warnings?: { modality: string; code: string; message: string }[]; quality?: Record<string, unknown>;
}

export interface Watchlist { id: string; name: string; agency: string; disclosure: string; subjects?: number }
export interface KeyRow { id: string; role: Role; agency: string; label: string | null; createdAt: string; revokedAt: string | null }
