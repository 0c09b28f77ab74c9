-- The security log (issue 18): every sign-in, throttling and refusal (commands, routes, uploads,
-- decoding errors), kept apart from the throttle's own login_failures, so clearing counters never
-- destroys evidence. Append-only and hash-chained like the case events: `hash` is
-- eventHash() (models/domain/eventchain.h) over the line's fields and `prev_hash`, the previous
-- line's hash. Only the retention purge may delete, only a prefix of old lines, and only while the
-- anchor names the last purged line and its hash, so the chain still verifies from the anchor.
CREATE TABLE security_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    user      TEXT NOT NULL DEFAULT '',
    address   TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '',
    -- identical lines within a second, or lines suppressed by the rate limit, counted in one line
    count     INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX security_log_at ON security_log (at);
CREATE INDEX security_log_user ON security_log (user, id);
CREATE INDEX security_log_address ON security_log (address, id);

-- One row: where the chain starts after a purge (all zero hash and id 0 before any purge), and
-- the purge in progress (purge_before, NULL otherwise).
CREATE TABLE security_log_anchor (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_id      INTEGER NOT NULL DEFAULT 0,
    hash         BLOB NOT NULL CHECK (length(hash) = 32),
    purge_before INTEGER
);
INSERT INTO security_log_anchor (id, last_id, hash) VALUES (1, 0, zeroblob(32));

-- A line continues the chain: after the newest line, or after the anchor when none is left.
CREATE TRIGGER security_log_chain BEFORE INSERT ON security_log
    WHEN NEW.id <= coalesce((SELECT max(id) FROM security_log),
                            (SELECT last_id FROM security_log_anchor WHERE id = 1))
      OR NEW.prev_hash IS NOT coalesce(
            (SELECT hash FROM security_log ORDER BY id DESC LIMIT 1),
            (SELECT hash FROM security_log_anchor WHERE id = 1))
BEGIN
    SELECT RAISE(ABORT, 'security_log is append-only: a line must continue the chain');
END;

CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log
BEGIN
    SELECT RAISE(ABORT, 'security_log is append-only');
END;

-- Deleting is the retention purge only: lines up to the anchor, older than its purge_before.
CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log
    WHEN (SELECT purge_before FROM security_log_anchor WHERE id = 1) IS NULL
      OR OLD.at >= (SELECT purge_before FROM security_log_anchor WHERE id = 1)
      OR OLD.id > (SELECT last_id FROM security_log_anchor WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'security_log is append-only (only the retention purge deletes)');
END;

-- The anchor moves forward only, to a line that exists, with that line's hash.
CREATE TRIGGER security_log_anchor_forward BEFORE UPDATE ON security_log_anchor
    WHEN NEW.id IS NOT OLD.id
      OR NEW.last_id < OLD.last_id
      OR (NEW.last_id <> OLD.last_id
          AND NEW.hash IS NOT (SELECT hash FROM security_log WHERE id = NEW.last_id))
      OR (NEW.last_id = OLD.last_id AND NEW.hash IS NOT OLD.hash)
BEGIN
    SELECT RAISE(ABORT, 'the security log anchor only moves forward along the chain');
END;

CREATE TRIGGER security_log_anchor_no_delete BEFORE DELETE ON security_log_anchor
BEGIN
    SELECT RAISE(ABORT, 'the security log anchor cannot be deleted');
END;
