-- Examiners conclude identification, exclusion or inconclusive (ACE-V's terms). The API keeps its outcomes
-- 'confirmed' (identification) and 'rejected' (exclusion) and gains 'inconclusive': decided, confirming no one.
ALTER TABLE case_candidates DROP CONSTRAINT case_candidates_outcome_check,
  ADD CONSTRAINT case_candidates_outcome_check CHECK (outcome IN ('confirmed', 'rejected', 'inconclusive'));
ALTER TABLE case_decisions DROP CONSTRAINT case_decisions_outcome_check,
  ADD CONSTRAINT case_decisions_outcome_check CHECK (outcome IN ('confirmed', 'rejected', 'inconclusive'));
