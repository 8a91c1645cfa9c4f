-- The audit chain is sealed after commit by one writer at a time (group commit), so an append takes no global
-- lock: a request's transaction inserts its entry with the hash of its own content (the leaf) and a pending mark;
-- the sealer links the committed pending entries, in the order it sees them, into audit_chain. Rows written
-- before this migration keep their in-row chain (prev_hash, hash) and the sealed chain continues from its tail.
ALTER TABLE audit_log
  ALTER COLUMN prev_hash DROP NOT NULL,
  ALTER COLUMN hash DROP NOT NULL,
  ADD COLUMN leaf_hash bytea;

CREATE TABLE audit_pending (entry_id bigint PRIMARY KEY);

CREATE TABLE audit_chain (
  seq        bigint PRIMARY KEY,
  entry_id   bigint NOT NULL UNIQUE,
  prev_hash  bytea NOT NULL,
  hash       bytea NOT NULL,
  sealed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
