-- Schema 5: offline-first sync with the central platform.
-- Events the console wrote optimistically are provisional: the platform's events replace them
-- when they arrive, so only provisional rows may ever be deleted.
ALTER TABLE case_events ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0
    CHECK (provisional IN (0, 1));
DROP TRIGGER case_events_no_delete;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events WHEN OLD.provisional = 0
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
CREATE INDEX case_events_provisional ON case_events (case_id) WHERE provisional = 1;

-- Commands waiting for the platform, in the order they were made (seq). A row is written in the
-- same transaction as its optimistic local effect and leaves only in the transaction that writes
-- the platform's confirming change. 'applied': the platform said so, its change is not pulled yet.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id   TEXT NOT NULL UNIQUE,
    case_id      INTEGER,
    case_ref     TEXT,
    action       TEXT NOT NULL,
    username     TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'rejected')),
    reason       TEXT,
    code         TEXT,
    version      INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    local_reason TEXT
);
CREATE INDEX outbox_case ON outbox (case_id, seq);
CREATE INDEX outbox_state ON outbox (state, seq);

-- The platform's row of a case that has local commands on top, so they can be replayed on it.
CREATE TABLE case_base AS SELECT * FROM cases WHERE 0;
CREATE UNIQUE INDEX case_base_id ON case_base (id);

-- cursor, last_sync_at, session_user, session_token, session_expires, session_role,
-- platform_url, snapshot_after, snapshot_cursor, snapshot_done
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT
);
