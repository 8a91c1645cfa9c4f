-- A cluster front's check whose gallery shards did not all answer, and where nothing searched reached review, is
-- recorded as 'incomplete' (never 'no-hit' for a gallery it did not search).
ALTER TABLE checks DROP CONSTRAINT IF EXISTS checks_decision_check;
ALTER TABLE checks ADD CONSTRAINT checks_decision_check CHECK (decision IN ('hit', 'no-hit', 'review', 'incomplete'));
