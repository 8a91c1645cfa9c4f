-- Decision thresholds are stated per search: the chance that a check of someone not in the watchlist
-- flags a candidate from it (false-positive identification rate). The check turns them into score
-- thresholds with the watchlist's size, so a large watchlist does not flood examiners with reviews.
ALTER TABLE watchlists RENAME COLUMN hit_fmr TO hit_fpir;
ALTER TABLE watchlists RENAME COLUMN review_fmr TO review_fpir;
ALTER TABLE watchlists ALTER COLUMN hit_fpir SET DEFAULT 1e-3;
ALTER TABLE watchlists RENAME CONSTRAINT watchlists_review_above_hit TO watchlists_review_fpir_above_hit;
