-- Examiners conclude identification, exclusion or inconclusive (ACE-V's terms). The API keeps its outcomes
-- 'confirmed' (identification) and 'rejected' (exclusion) and gains 'inconclusive': decided, confirming no one.
ALTER TABLE case_candidates DROP CONSTRAINT case_candidates_outcome_check,
  ADD CONSTRAINT case_candidates_outcome_check CHECK (outcome IN ('confirmed', 'rejected', 'inconclusive'));
ALTER TABLE case_decisions DROP CONSTRAINT case_decisions_outcome_check,
  ADD CONSTRAINT case_decisions_outcome_check CHECK (outcome IN ('confirmed', 'rejected', 'inconclusive'));

-- ACE-V's verification, optional: a second examiner (another key than those who decided) verifies or disputes the
-- conclusions as they stand (case_version); a dispute at the current version keeps the case from closing.
CREATE TABLE case_verifications (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id      uuid NOT NULL REFERENCES cases(id),
  case_version int NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('verified', 'disputed')),
  note         text,
  key_id       uuid REFERENCES api_keys(id),
  agency       text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_verifications_case_idx ON case_verifications (case_id, id);
