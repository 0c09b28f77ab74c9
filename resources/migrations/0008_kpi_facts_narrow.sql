-- Schema 8: the dashboard's per-case facts in one narrow, integer-only row per case, so that its
-- first load is a single sequential scan of a small table (no join, no text) instead of a scan
-- of the wide cases table joined with case_facts.
--
-- kpi_facts mirrors, for every case, the cases columns the dashboard reads plus the packed
-- case_facts values. Nothing but the triggers below writes it: the cases triggers copy the case
-- row, the case_facts triggers copy the facts (which only authoritative events update, see
-- schema 6). The state, category and grid cell are stored as kpi_codes ids (NULL for a code
-- that is not a state, a category or a grid cell, as the reader would not find it either).
--   flags: the CaseFact::Flag bits: 1 reworked, 2 extended, 4 ever shelved, 8 reopened,
--     16 skipped a stage, 32 late (from case_facts), 64 linked to an earlier case (cases).
--   max_stage: case_facts.max_stage (the reader takes the larger of it and stage).
-- A row whose case does not exist yet (its facts came first) has a NULL reported_at.
CREATE TABLE kpi_codes (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE
);

CREATE TABLE kpi_facts (
    case_id     INTEGER PRIMARY KEY,
    reported_at INTEGER,
    closed_at   INTEGER,
    deadline_at INTEGER,
    state       INTEGER,
    stage       INTEGER,
    street_id   INTEGER,
    category    INTEGER,
    unit_id     INTEGER,
    grid        INTEGER,
    flags       INTEGER NOT NULL DEFAULT 0,
    max_stage   INTEGER NOT NULL DEFAULT 0
);

-- A case row as kpi_facts holds it (flags: only its own bit).
CREATE VIEW kpi_case_rows AS
SELECT c.id AS case_id, c.reported_at, c.closed_at, c.deadline_at,
       (SELECT id FROM kpi_codes WHERE code = c.state) AS state, c.stage, c.street_id,
       (SELECT id FROM kpi_codes WHERE code = c.category) AS category, c.unit_id,
       (SELECT id FROM kpi_codes WHERE code = c.grid_code) AS grid,
       64 * (c.linked_case IS NOT NULL) AS flags
  FROM cases c;

-- A case_facts row as kpi_facts holds it.
CREATE VIEW kpi_fact_bits AS
SELECT case_id,
       (reworks <> 0) + 2 * (extensions <> 0) + 4 * (shelves <> 0) + 8 * (reopens <> 0)
           + 16 * (skips <> 0) + 32 * (late <> 0) AS flags,
       max_stage
  FROM case_facts;

-- The codes: the case states (Names::key), then every category and grid cell.
INSERT INTO kpi_codes (code)
VALUES ('reported'), ('registered'), ('dispatched'), ('handling'), ('feedback'), ('verified'),
       ('closed'), ('returned'), ('shelved'), ('rejected');
INSERT INTO kpi_codes (code) SELECT code FROM categories ORDER BY code;
INSERT INTO kpi_codes (code) SELECT code FROM grids ORDER BY id;

-- Backfill in one pass over cases.
INSERT INTO kpi_facts
SELECT r.case_id, r.reported_at, r.closed_at, r.deadline_at, r.state, r.stage, r.street_id,
       r.category, r.unit_id, r.grid, r.flags | coalesce(b.flags, 0), coalesce(b.max_stage, 0)
  FROM kpi_case_rows r LEFT JOIN kpi_fact_bits b ON b.case_id = r.case_id
 ORDER BY r.case_id;

-- A category or grid cell added later gets its code, and the cases that already name it get
-- its id. (No conflict clauses here or below: an outer INSERT OR REPLACE would override them.)
CREATE TRIGGER categories_kpi_code AFTER INSERT ON categories
BEGIN
    INSERT INTO kpi_codes (code) SELECT NEW.code WHERE NEW.code NOT IN (SELECT code FROM kpi_codes);
    UPDATE kpi_facts SET category = (SELECT id FROM kpi_codes WHERE code = NEW.code)
     WHERE case_id IN (SELECT id FROM cases WHERE category = NEW.code);
END;

CREATE TRIGGER grids_kpi_code AFTER INSERT ON grids
BEGIN
    INSERT INTO kpi_codes (code) SELECT NEW.code WHERE NEW.code NOT IN (SELECT code FROM kpi_codes);
    UPDATE kpi_facts SET grid = (SELECT id FROM kpi_codes WHERE code = NEW.code)
     WHERE case_id IN (SELECT id FROM cases WHERE grid_code = NEW.code);
END;

-- The case row, on insert and on every update of a column the dashboard reads (an upsert of
-- cases takes the update path). The facts' bits stay as they are.
CREATE TRIGGER cases_kpi_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO kpi_facts SELECT *, 0 FROM kpi_case_rows WHERE case_id = NEW.id
    ON CONFLICT (case_id) DO UPDATE SET
        (reported_at, closed_at, deadline_at, state, stage, street_id, category, unit_id, grid,
         flags) = (excluded.reported_at, excluded.closed_at, excluded.deadline_at, excluded.state,
                   excluded.stage, excluded.street_id, excluded.category, excluded.unit_id,
                   excluded.grid, (flags & 63) | excluded.flags);
END;

CREATE TRIGGER cases_kpi_update
AFTER UPDATE OF reported_at, closed_at, deadline_at, state, stage, street_id, category, unit_id,
                grid_code, linked_case ON cases
BEGIN
    INSERT INTO kpi_facts SELECT *, 0 FROM kpi_case_rows WHERE case_id = NEW.id
    ON CONFLICT (case_id) DO UPDATE SET
        (reported_at, closed_at, deadline_at, state, stage, street_id, category, unit_id, grid,
         flags) = (excluded.reported_at, excluded.closed_at, excluded.deadline_at, excluded.state,
                   excluded.stage, excluded.street_id, excluded.category, excluded.unit_id,
                   excluded.grid, (flags & 63) | excluded.flags);
END;

CREATE TRIGGER cases_kpi_delete AFTER DELETE ON cases
BEGIN
    DELETE FROM kpi_facts WHERE case_id = OLD.id;
END;

-- The facts. They change only when an authoritative event is applied (schema 6's
-- case_events_facts) or when the demo generator's bulk load writes them.
CREATE TRIGGER case_facts_kpi_insert AFTER INSERT ON case_facts
BEGIN
    INSERT INTO kpi_facts (case_id, flags, max_stage)
    SELECT * FROM kpi_fact_bits WHERE case_id = NEW.case_id
    ON CONFLICT (case_id) DO UPDATE SET
        flags = (flags & 64) | excluded.flags, max_stage = excluded.max_stage;
END;

CREATE TRIGGER case_facts_kpi_update AFTER UPDATE ON case_facts
BEGIN
    INSERT INTO kpi_facts (case_id, flags, max_stage)
    SELECT * FROM kpi_fact_bits WHERE case_id = NEW.case_id
    ON CONFLICT (case_id) DO UPDATE SET
        flags = (flags & 64) | excluded.flags, max_stage = excluded.max_stage;
END;

CREATE TRIGGER case_facts_kpi_delete AFTER DELETE ON case_facts
BEGIN
    UPDATE kpi_facts SET flags = flags & 64, max_stage = 0 WHERE case_id = OLD.case_id;
END;
