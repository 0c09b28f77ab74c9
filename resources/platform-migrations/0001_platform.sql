-- CityOps platform store, schema 1. These tables live in platform.db beside the case tables of
-- the cache schema (resources/migrations), which the platform runs authoritatively. Numbered
-- separately (platform_schema_version) so the two schemas evolve independently.
-- Times are UTC epoch milliseconds.

-- Sign-in accounts. Passwords: PBKDF2-HMAC-SHA256 with a random salt; the iteration count is
-- stored per account so it can be raised without invalidating older hashes.
CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'dispatcher', 'supervisor', 'field',
                                                'enforcement', 'auditor')),
    display_name  TEXT NOT NULL,
    person        TEXT,
    salt          BLOB NOT NULL,
    hash          BLOB NOT NULL,
    iterations    INTEGER NOT NULL CHECK (iterations >= 100000),
    -- 1 while the password is the published demo password: refused off loopback.
    demo_password INTEGER NOT NULL DEFAULT 0,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Bearer tokens, stored as their SHA-256 only.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES accounts(username),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    address    TEXT
);
CREATE INDEX sessions_user ON sessions (username);

-- Every command id the platform has decided, written in the same transaction as the command's
-- effect, so a resent id is answered from here and never applied twice.
CREATE TABLE applied_commands (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    device       TEXT NOT NULL,
    action       TEXT NOT NULL,
    case_id      INTEGER,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason       TEXT,
    code         TEXT,
    version      INTEGER NOT NULL,
    base_version INTEGER NOT NULL,
    client_at    INTEGER NOT NULL,
    at           INTEGER NOT NULL
);

-- The change feed: one row per applied command, with the case row as that command left it.
-- Events of a change are the case's events with seq in (prev_version, version].
CREATE TABLE changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    prev_version INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    row          TEXT NOT NULL,
    command_id   TEXT
);

CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
BEGIN
    SELECT RAISE(ABORT, 'changes is append-only');
END;

CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
BEGIN
    SELECT RAISE(ABORT, 'changes is append-only');
END;

-- Failed sign-ins, for throttling by user name and by address.
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_address ON login_failures (address, at);
