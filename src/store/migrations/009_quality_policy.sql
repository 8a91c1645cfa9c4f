-- Face quality policy per API key and per watchlist (src/quality-policy.ts): 'inform' uses any image with
-- a detectable face and reports its quality; 'strict' refuses captures below the thresholds.
ALTER TABLE api_keys ADD COLUMN quality_policy text NOT NULL DEFAULT 'inform' CHECK (quality_policy IN ('inform', 'strict'));
ALTER TABLE watchlists ADD COLUMN quality_policy text NOT NULL DEFAULT 'inform' CHECK (quality_policy IN ('inform', 'strict'));
