-- Need to know: investigative checks are marked as such, and an owner agency's decision on a hit against
-- its hit/no-hit watchlist (disclose or decline) holds per subject and requesting agency, so a later hit on
-- the same subject by the same agency follows the decision already taken.
ALTER TABLE checks ADD COLUMN mode text NOT NULL DEFAULT 'standard' CHECK (mode IN ('standard', 'investigative'));

CREATE TABLE hit_decisions (
  subject_id        uuid NOT NULL REFERENCES subjects(id),
  requesting_agency text NOT NULL,
  status            text NOT NULL CHECK (status IN ('disclosed', 'declined')),
  -- The hit the owner decided on (the decision then covers every hit on this subject by this agency).
  handle            text NOT NULL,
  note              text,
  decided_by        uuid REFERENCES api_keys(id),
  decided_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_id, requesting_agency)
);

-- Disclosures made before this table existed become decisions; case_candidates.disclosed_at/_by are no
-- longer written (hit_decisions is the truth).
INSERT INTO hit_decisions (subject_id, requesting_agency, status, handle, decided_by, decided_at)
SELECT DISTINCT ON (x.subject_id, k.agency) x.subject_id, k.agency, 'disclosed', x.handle, x.disclosed_by, x.disclosed_at
FROM case_candidates x JOIN cases k ON k.id = x.case_id
WHERE x.disclosed_at IS NOT NULL
ORDER BY x.subject_id, k.agency, x.disclosed_at;

-- Hits as their owner agency sees them: hit or review candidates from a hit/no-hit watchlist, found by another
-- agency's check (the same rule as withheldFrom in src/cases/views.ts, for the queries that need it in SQL).
CREATE VIEW owner_hits AS
SELECT x.*, k.agency AS requesting_agency, k.check_id, k.created_at AS found_at
FROM case_candidates x JOIN cases k ON k.id = x.case_id JOIN watchlists w ON w.id = x.watchlist
WHERE w.disclosure = 'hit-no-hit' AND k.agency <> x.owner_agency AND x.level <> 'none';

-- The owner's queue of hits, oldest first.
CREATE INDEX cases_created_idx ON cases (created_at, id);
