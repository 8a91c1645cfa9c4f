-- The system of record: agencies, API keys, watchlists, subjects, biometric samples, audit log.

CREATE TABLE agencies (
  code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
  name        text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The public part of the key, used to find the row; the secret part is stored only as a hash.
  prefix      text NOT NULL UNIQUE,
  secret_hash bytea NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'enroller', 'kiosk', 'examiner')),
  agency      text NOT NULL REFERENCES agencies(code),
  label       text,
  created_by  uuid REFERENCES api_keys(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE watchlists (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  -- Small integer the search indexes carry per entry to filter by watchlist.
  num         int GENERATED ALWAYS AS IDENTITY UNIQUE,
  name        text NOT NULL,
  agency      text NOT NULL REFERENCES agencies(code),
  disclosure  text NOT NULL CHECK (disclosure IN ('full', 'hit-no-hit')),
  -- Agencies whose kiosks/examiners may search it; NULL = every agency.
  searchable_by text[],
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);

CREATE TABLE subjects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  watchlist   text NOT NULL REFERENCES watchlists(id),
  -- Identity fields are scrubbed (set NULL) when the subject is deleted; the row stays as a tombstone
  -- so that cases which referred to it keep a consistent, identity-free history.
  reference   text,
  name        text,
  attributes  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by  uuid REFERENCES api_keys(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz
);
CREATE INDEX subjects_watchlist_idx ON subjects (watchlist) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX subjects_reference_uq ON subjects (watchlist, reference) WHERE deleted_at IS NULL AND reference IS NOT NULL;

-- Every change to the samples advances this sequence; search indexes replay from their snapshot's mark.
CREATE SEQUENCE sample_seq;

CREATE TABLE samples (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject_id    uuid NOT NULL REFERENCES subjects(id),
  watchlist     text NOT NULL REFERENCES watchlists(id),
  modality      text NOT NULL CHECK (modality IN ('face', 'finger')),
  -- Finger position 0..10 (0 unknown); NULL for faces.
  position      smallint CHECK (position BETWEEN 0 AND 10),
  -- Face: float32 embedding bytes; finger: the matcher's template.
  template      bytea NOT NULL,
  -- Which extractor produced the template (embedder model id, matcher version).
  extractor     text NOT NULL,
  quality       jsonb NOT NULL DEFAULT '{}'::jsonb,
  source_format text NOT NULL,
  -- The original capture (image or standard template), for examiners reviewing a match.
  source        bytea,
  created_by    uuid REFERENCES api_keys(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  seq           bigint NOT NULL DEFAULT nextval('sample_seq')
);
CREATE INDEX samples_subject_idx ON samples (subject_id);
CREATE INDEX samples_seq_idx ON samples (modality, seq);

-- Deleted samples leave only their id and the sequence number of the deletion, for index replay.
CREATE TABLE sample_tombstones (
  sample_id   bigint PRIMARY KEY,
  modality    text NOT NULL,
  seq         bigint NOT NULL DEFAULT nextval('sample_seq'),
  deleted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sample_tombstones_seq_idx ON sample_tombstones (modality, seq);

-- Append-only audit log, each entry chained to the previous one by a hash.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  key_id      uuid,
  role        text,
  agency      text,
  action      text NOT NULL,
  target      text,
  request_id  text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   bytea NOT NULL,
  hash        bytea NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
