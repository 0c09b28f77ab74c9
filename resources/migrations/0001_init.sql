-- CityOps local cache, schema 1: reference data, cases and their append-only timeline.
-- Times are UTC epoch milliseconds; geometries are GeoJSON geometry objects (WGS-84).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE category_majors (
    code    TEXT PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('facility', 'event')),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE categories (
    code              TEXT PRIMARY KEY,
    major             TEXT NOT NULL REFERENCES category_majors(code),
    kind              TEXT NOT NULL CHECK (kind IN ('facility', 'event')),
    name_zh           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    filing_condition  TEXT NOT NULL,
    closure_condition TEXT NOT NULL,
    limit_value       INTEGER NOT NULL,
    limit_unit        TEXT NOT NULL CHECK (limit_unit IN ('working_hours', 'working_days')),
    responsible_unit  TEXT NOT NULL,
    priority          INTEGER NOT NULL,
    ladder_notice_hours      INTEGER,
    ladder_persuasion_days   INTEGER,
    ladder_enforcement_days  INTEGER
);

CREATE TABLE streets (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE communities (
    id        INTEGER PRIMARY KEY,
    street_id INTEGER NOT NULL REFERENCES streets(id),
    code      TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    geometry  TEXT NOT NULL
);

CREATE TABLE grids (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    code         TEXT NOT NULL UNIQUE CHECK (length(code) = 20),
    geometry     TEXT NOT NULL,
    min_lon REAL NOT NULL, min_lat REAL NOT NULL, max_lon REAL NOT NULL, max_lat REAL NOT NULL,
    area_m2      REAL NOT NULL
);

CREATE TABLE roads (
    id       INTEGER PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    geometry TEXT NOT NULL
);

CREATE TABLE units (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('team', 'person')),
    unit_type    TEXT NOT NULL,
    parent_id    INTEGER REFERENCES units(id),
    street_id    INTEGER REFERENCES streets(id),
    community_id INTEGER REFERENCES communities(id),
    lon REAL, lat REAL,
    seen_at      INTEGER
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    username     TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('operator', 'dispatcher', 'supervisor', 'field',
                                               'enforcement', 'auditor')),
    unit_id      INTEGER REFERENCES units(id)
);

CREATE TABLE cameras (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name_zh   TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('camera', 'sensor')),
    lon REAL NOT NULL, lat REAL NOT NULL,
    street_id INTEGER REFERENCES streets(id),
    grid_code TEXT
);

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    category     TEXT NOT NULL REFERENCES categories(code),
    state        TEXT NOT NULL,
    stage        INTEGER NOT NULL DEFAULT 0 CHECK (stage BETWEEN 0 AND 3),
    priority     INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 3),
    source       TEXT NOT NULL,
    street_id    INTEGER REFERENCES streets(id),
    community_id INTEGER REFERENCES communities(id),
    grid_code    TEXT,
    address      TEXT NOT NULL,
    description  TEXT NOT NULL,
    party        TEXT,
    lon REAL NOT NULL, lat REAL NOT NULL,
    reported_at  INTEGER NOT NULL,
    deadline_at  INTEGER,
    closed_at    INTEGER,
    unit_id      INTEGER REFERENCES units(id),
    assignee_id  INTEGER REFERENCES units(id),
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   INTEGER NOT NULL,
    chain_head   BLOB
);

-- One row per thing that happened to a case. prev_hash is the SHA-256 of the previous event of
-- the same case (32 zero bytes for the first); cases.chain_head is the hash of the last one.
CREATE TABLE case_events (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    device    TEXT NOT NULL,
    payload   TEXT NOT NULL DEFAULT '{}',
    prev_hash BLOB NOT NULL,
    UNIQUE (case_id, seq)
);

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;

CREATE TABLE attachments (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    case_id       INTEGER REFERENCES cases(id),
    mime          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    original_name TEXT NOT NULL,
    captured_at   INTEGER,
    stored_at     INTEGER NOT NULL
);
