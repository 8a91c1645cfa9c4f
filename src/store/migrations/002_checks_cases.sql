-- Checks (1:N requests), the cases that hits and reviews open, examiners' decisions, and disclosures.

-- Decision thresholds per watchlist, stated as false-match rates (the fused score is -log10 FMR).
ALTER TABLE watchlists
  ADD COLUMN hit_fmr    double precision NOT NULL DEFAULT 1e-4 CHECK (hit_fmr > 0 AND hit_fmr < 1),
  ADD COLUMN review_fmr double precision NOT NULL DEFAULT 1e-2 CHECK (review_fmr > 0 AND review_fmr < 1),
  ADD CONSTRAINT watchlists_review_above_hit CHECK (review_fmr >= hit_fmr);

CREATE TABLE checks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key_id      uuid REFERENCES api_keys(id),
  agency      text NOT NULL,
  decision    text NOT NULL CHECK (decision IN ('hit', 'no-hit', 'review')),
  modalities  text[] NOT NULL,
  watchlists  text[] NOT NULL,
  timings     jsonb NOT NULL DEFAULT '{}'::jsonb,
  quality     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checks_key_idx ON checks (key_id, created_at);

-- The probe of a check (images, templates): kept for hits and reviews, for no-hits only if configured.
CREATE TABLE check_probes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id    uuid NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
  modality    text NOT NULL CHECK (modality IN ('face', 'finger')),
  position    smallint,
  format      text NOT NULL,
  data        bytea NOT NULL
);
CREATE INDEX check_probes_check_idx ON check_probes (check_id);

CREATE TABLE cases (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  check_id    uuid NOT NULL UNIQUE REFERENCES checks(id),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'closed')),
  -- Outcome when closed: confirmed if any candidate was confirmed, else rejected.
  outcome     text CHECK (outcome IN ('confirmed', 'rejected')),
  agency      text NOT NULL,
  version     int NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  closed_at   timestamptz,
  closed_by   uuid REFERENCES api_keys(id)
);
CREATE INDEX cases_status_idx ON cases (status, agency, created_at);

CREATE TABLE case_candidates (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     uuid NOT NULL REFERENCES cases(id),
  -- Opaque handle: the only name a withheld candidate has outside its owner agency.
  handle      text NOT NULL UNIQUE,
  rank        int NOT NULL,
  subject_id  uuid NOT NULL REFERENCES subjects(id),
  watchlist   text NOT NULL REFERENCES watchlists(id),
  owner_agency text NOT NULL,
  score       double precision NOT NULL,
  scores      jsonb NOT NULL,
  -- The enrolled samples that matched, with their scores.
  matched     jsonb NOT NULL DEFAULT '[]'::jsonb,
  level       text NOT NULL CHECK (level IN ('hit', 'review', 'none')),
  outcome     text CHECK (outcome IN ('confirmed', 'rejected')),
  note        text,
  decided_by  uuid REFERENCES api_keys(id),
  decided_at  timestamptz,
  disclosed_at timestamptz,
  disclosed_by uuid REFERENCES api_keys(id)
);
CREATE INDEX case_candidates_case_idx ON case_candidates (case_id);
CREATE INDEX case_candidates_owner_idx ON case_candidates (owner_agency, disclosed_at);

CREATE TABLE case_decisions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     uuid NOT NULL REFERENCES cases(id),
  candidate   text NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('confirmed', 'rejected')),
  note        text,
  key_id      uuid REFERENCES api_keys(id),
  agency      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
