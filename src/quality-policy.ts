// The face quality policy, in one place. "inform" (the default): any image with a detectable face is
// used and its quality report travels with the answer as warnings. "strict": a capture below the
// thresholds of its profile (enrolment or check) is refused with 422 and the reasons, as a kiosk's live
// capture wants (the traveller can look again). Watchlists are enrolled from whatever photos exist, so
// refusing by default would only leave people out of the gallery.

export const QUALITY_POLICIES = ['inform', 'strict'] as const;
export type QualityPolicy = (typeof QUALITY_POLICIES)[number];
export const DEFAULT_QUALITY_POLICY: QualityPolicy = 'inform';

/**
 * The policy one face extraction runs under. Strict wins: a key or a watchlist set to strict cannot be
 * relaxed by a request, and any of them may ask for strict. The request's own choice, the calling key's
 * policy, and (for enrolments) the target watchlist's policy.
 */
export function effectiveQualityPolicy(...choices: (QualityPolicy | null | undefined)[]): QualityPolicy {
  return choices.includes('strict') ? 'strict' : 'inform';
}
