-- Connections (N:N): pairs of distinct subjects whose samples match, found in the background after each
-- enrolment and by full passes; the comparisons they rest on; examiners' decisions; the durable work queue.

-- A full pass over the gallery: every live sample searched against every other subject's samples.
CREATE TABLE connection_scans (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  total       int NOT NULL,
  done        int NOT NULL DEFAULT 0,
  error       text,
  created_by  uuid REFERENCES api_keys(id),
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
-- At most one pass runs at a time.
CREATE UNIQUE INDEX connection_scans_one_running ON connection_scans ((true)) WHERE status = 'running';

-- Samples waiting to be searched. A worker claims rows with FOR UPDATE SKIP LOCKED and deletes them in the
-- transaction that records their results: a crash rolls the claim back and another worker takes them up.
CREATE TABLE connection_work (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sample_id   bigint NOT NULL,
  scan_id     uuid REFERENCES connection_scans(id) ON DELETE CASCADE,
  enqueued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connection_work_scan_idx ON connection_work (scan_id);
-- Claim order: new enrolments before a pass's backlog.
CREATE INDEX connection_work_order_idx ON connection_work ((scan_id IS NOT NULL), id);

-- Every enrolled sample is queued in the enrolment's own transaction: nothing committed is ever missed.
CREATE FUNCTION connection_work_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO connection_work (sample_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER samples_connection_work AFTER INSERT ON samples
  FOR EACH ROW EXECUTE FUNCTION connection_work_enqueue();

-- One comparison between a sample of one subject and a sample of another (subject_a < subject_b), as the
-- 1:N search of probe_sample found it. Deleting either sample deletes the comparison.
CREATE TABLE connection_evidence (
  probe_sample  bigint NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  target_sample bigint NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  subject_a     uuid NOT NULL,
  subject_b     uuid NOT NULL,
  modality      text NOT NULL CHECK (modality IN ('face', 'finger')),
  score         double precision NOT NULL,
  raw           double precision NOT NULL,
  PRIMARY KEY (probe_sample, target_sample),
  CHECK (subject_a < subject_b)
);
CREATE INDEX connection_evidence_pair_idx ON connection_evidence (subject_a, subject_b);
CREATE INDEX connection_evidence_target_idx ON connection_evidence (target_sample);

CREATE TABLE connections (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subject_a   uuid NOT NULL REFERENCES subjects(id),
  subject_b   uuid NOT NULL REFERENCES subjects(id),
  -- Opaque per-side handles: what the other side sees of a withheld (hit/no-hit) subject.
  handle_a    text NOT NULL UNIQUE,
  handle_b    text NOT NULL UNIQUE,
  score       double precision NOT NULL,
  scores      jsonb NOT NULL,
  -- The samples the score rests on (to refresh the link when one is deleted).
  samples     bigint[] NOT NULL,
  -- 'none': a decided link whose evidence fell below the thresholds (kept for its decision).
  level       text NOT NULL CHECK (level IN ('hit', 'review', 'none')),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'same-person', 'different-persons', 'inconclusive')),
  cluster_id  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subject_a, subject_b),
  CHECK (subject_a < subject_b)
);
CREATE INDEX connections_subject_b_idx ON connections (subject_b);
CREATE INDEX connections_status_idx ON connections (status, score DESC);
CREATE INDEX connections_samples_idx ON connections USING gin (samples);

CREATE TABLE connection_decisions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection_id uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  outcome       text NOT NULL CHECK (outcome IN ('same-person', 'different-persons', 'inconclusive')),
  note          text,
  key_id        uuid REFERENCES api_keys(id),
  agency        text NOT NULL,
  at            timestamptz NOT NULL DEFAULT now()
);
