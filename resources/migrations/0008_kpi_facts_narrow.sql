-- Schema 8: the dashboard's per-case facts in one narrow, integer-only row per case, so that its
-- first load is a single sequential scan of a small table (no join, no text) instead of a scan
-- of the wide cases table joined with case_facts.
--
-- kpi_facts mirrors, for every case, the cases columns the dashboard reads plus the packed
-- case_facts values. Nothing but the triggers below writes it: the cases triggers copy the case
-- row, the case_facts triggers copy the facts (which only authoritative events update, see
-- schema 6). Text codes (state, category, grid cell) are stored as kpi_codes ids.
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

-- Backfill: the codes the cases use (read from the cases indexes), then one pass over cases.
INSERT INTO kpi_codes (code) SELECT DISTINCT state FROM cases ORDER BY state;
INSERT INTO kpi_codes (code) SELECT DISTINCT category FROM cases ORDER BY category;
INSERT INTO kpi_codes (code)
SELECT DISTINCT grid_code FROM cases WHERE grid_code IS NOT NULL ORDER BY grid_code;

INSERT INTO kpi_facts (case_id, reported_at, closed_at, deadline_at, state, stage, street_id,
                       category, unit_id, grid, flags, max_stage)
SELECT c.id, c.reported_at, c.closed_at, c.deadline_at, s.id, c.stage, c.street_id, k.id,
       c.unit_id, g.id,
       coalesce((f.reworks <> 0) + 2 * (f.extensions <> 0) + 4 * (f.shelves <> 0)
                + 8 * (f.reopens <> 0) + 16 * (f.skips <> 0) + 32 * (f.late <> 0), 0)
           + 64 * (c.linked_case IS NOT NULL),
       coalesce(f.max_stage, 0)
  FROM cases c
  LEFT JOIN case_facts f ON f.case_id = c.id
  LEFT JOIN kpi_codes s ON s.code = c.state
  LEFT JOIN kpi_codes k ON k.code = c.category
  LEFT JOIN kpi_codes g ON g.code = c.grid_code
 ORDER BY c.id;

-- The case row. New codes are added without a conflict clause: an outer INSERT OR REPLACE would
-- otherwise replace a code's row and renumber it. The upserts keep what the other side wrote.
CREATE TRIGGER cases_kpi_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO kpi_codes (code) SELECT NEW.state WHERE NEW.state NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_codes (code)
    SELECT NEW.category WHERE NEW.category NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_codes (code)
    SELECT NEW.grid_code WHERE NEW.grid_code NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_facts (case_id, reported_at, closed_at, deadline_at, state, stage, street_id,
                           category, unit_id, grid, flags)
    VALUES (NEW.id, NEW.reported_at, NEW.closed_at, NEW.deadline_at,
            (SELECT id FROM kpi_codes WHERE code = NEW.state), NEW.stage, NEW.street_id,
            (SELECT id FROM kpi_codes WHERE code = NEW.category), NEW.unit_id,
            (SELECT id FROM kpi_codes WHERE code = NEW.grid_code),
            64 * (NEW.linked_case IS NOT NULL))
    ON CONFLICT (case_id) DO UPDATE SET
        reported_at = excluded.reported_at, closed_at = excluded.closed_at,
        deadline_at = excluded.deadline_at, state = excluded.state, stage = excluded.stage,
        street_id = excluded.street_id, category = excluded.category, unit_id = excluded.unit_id,
        grid = excluded.grid, flags = (flags & 63) | excluded.flags;
END;

-- The same on every update of a column the dashboard reads (an upsert of cases takes this path).
CREATE TRIGGER cases_kpi_update
AFTER UPDATE OF reported_at, closed_at, deadline_at, state, stage, street_id, category, unit_id,
                grid_code, linked_case ON cases
BEGIN
    INSERT INTO kpi_codes (code) SELECT NEW.state WHERE NEW.state NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_codes (code)
    SELECT NEW.category WHERE NEW.category NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_codes (code)
    SELECT NEW.grid_code WHERE NEW.grid_code NOT IN (SELECT code FROM kpi_codes);
    INSERT INTO kpi_facts (case_id, reported_at, closed_at, deadline_at, state, stage, street_id,
                           category, unit_id, grid, flags)
    VALUES (NEW.id, NEW.reported_at, NEW.closed_at, NEW.deadline_at,
            (SELECT id FROM kpi_codes WHERE code = NEW.state), NEW.stage, NEW.street_id,
            (SELECT id FROM kpi_codes WHERE code = NEW.category), NEW.unit_id,
            (SELECT id FROM kpi_codes WHERE code = NEW.grid_code),
            64 * (NEW.linked_case IS NOT NULL))
    ON CONFLICT (case_id) DO UPDATE SET
        reported_at = excluded.reported_at, closed_at = excluded.closed_at,
        deadline_at = excluded.deadline_at, state = excluded.state, stage = excluded.stage,
        street_id = excluded.street_id, category = excluded.category, unit_id = excluded.unit_id,
        grid = excluded.grid, flags = (flags & 63) | excluded.flags;
END;

CREATE TRIGGER cases_kpi_delete AFTER DELETE ON cases
BEGIN
    DELETE FROM kpi_facts WHERE case_id = OLD.id;
END;

-- The facts, packed. They change only when an authoritative event is applied (schema 6's
-- case_events_facts) or when the demo generator's bulk load writes them.
CREATE TRIGGER case_facts_kpi_insert AFTER INSERT ON case_facts
BEGIN
    INSERT INTO kpi_facts (case_id, flags, max_stage)
    VALUES (NEW.case_id,
            (NEW.reworks <> 0) + 2 * (NEW.extensions <> 0) + 4 * (NEW.shelves <> 0)
                + 8 * (NEW.reopens <> 0) + 16 * (NEW.skips <> 0) + 32 * (NEW.late <> 0),
            NEW.max_stage)
    ON CONFLICT (case_id) DO UPDATE SET
        flags = (flags & 64) | excluded.flags, max_stage = excluded.max_stage;
END;

CREATE TRIGGER case_facts_kpi_update AFTER UPDATE ON case_facts
WHEN (OLD.reworks <> 0) IS NOT (NEW.reworks <> 0) OR (OLD.extensions <> 0) IS NOT (NEW.extensions <> 0)
  OR (OLD.shelves <> 0) IS NOT (NEW.shelves <> 0) OR (OLD.reopens <> 0) IS NOT (NEW.reopens <> 0)
  OR (OLD.skips <> 0) IS NOT (NEW.skips <> 0) OR (OLD.late <> 0) IS NOT (NEW.late <> 0)
  OR OLD.max_stage IS NOT NEW.max_stage
BEGIN
    INSERT INTO kpi_facts (case_id, flags, max_stage)
    VALUES (NEW.case_id,
            (NEW.reworks <> 0) + 2 * (NEW.extensions <> 0) + 4 * (NEW.shelves <> 0)
                + 8 * (NEW.reopens <> 0) + 16 * (NEW.skips <> 0) + 32 * (NEW.late <> 0),
            NEW.max_stage)
    ON CONFLICT (case_id) DO UPDATE SET
        flags = (flags & 64) | excluded.flags, max_stage = excluded.max_stage;
END;

CREATE TRIGGER case_facts_kpi_delete AFTER DELETE ON case_facts
BEGIN
    UPDATE kpi_facts SET flags = flags & 64, max_stage = 0 WHERE case_id = OLD.case_id;
END;
