-- Schema 4: queue counts kept current by triggers (no re-count of the whole table), indexes for
-- the queue filters and sorts, and the full-text search tables (filled by the search indexer).

CREATE TABLE queue_counts (
    queue TEXT PRIMARY KEY,
    n     INTEGER NOT NULL DEFAULT 0
);

-- State buckets: one row per state key, plus 'pending' for cases waiting for a supervisor.
INSERT INTO queue_counts (queue, n)
    SELECT 'state:' || s, 0 FROM (SELECT 'reported' AS s UNION ALL SELECT 'registered'
        UNION ALL SELECT 'dispatched' UNION ALL SELECT 'handling' UNION ALL SELECT 'feedback'
        UNION ALL SELECT 'verified' UNION ALL SELECT 'closed' UNION ALL SELECT 'returned'
        UNION ALL SELECT 'shelved' UNION ALL SELECT 'rejected');
INSERT INTO queue_counts (queue, n) VALUES ('pending', 0), ('all', 0);
UPDATE queue_counts SET n = (SELECT count(*) FROM cases WHERE 'state:' || cases.state = queue)
 WHERE queue LIKE 'state:%';
UPDATE queue_counts SET n = (SELECT count(*) FROM cases WHERE pending IS NOT NULL) WHERE queue = 'pending';
UPDATE queue_counts SET n = (SELECT count(*) FROM cases) WHERE queue = 'all';

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
BEGIN
    UPDATE queue_counts SET n = n + 1 WHERE queue = 'state:' || NEW.state OR queue = 'all'
        OR (queue = 'pending' AND NEW.pending IS NOT NULL);
END;

CREATE TRIGGER cases_count_update AFTER UPDATE OF state, pending ON cases
    WHEN OLD.state IS NOT NEW.state OR (OLD.pending IS NULL) IS NOT (NEW.pending IS NULL)
BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE queue = 'state:' || OLD.state
        OR (queue = 'pending' AND OLD.pending IS NOT NULL);
    UPDATE queue_counts SET n = n + 1 WHERE queue = 'state:' || NEW.state
        OR (queue = 'pending' AND NEW.pending IS NOT NULL);
END;

CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE queue = 'state:' || OLD.state OR queue = 'all'
        OR (queue = 'pending' AND OLD.pending IS NOT NULL);
END;

-- Open work by deadline (overdue queue, SLA sort), my cases, and the filters. Schema 2's street,
-- category and (state, deadline) indexes give way to (street_id, category), (category, lat, lon),
-- (state, id) and the SLA expression index: fewer indexes to keep current on every write.
DROP INDEX cases_street;
DROP INDEX cases_category;
DROP INDEX cases_state_deadline;
CREATE INDEX cases_open_deadline ON cases (deadline_at)
    WHERE state IN ('reported', 'registered', 'dispatched', 'handling', 'feedback', 'verified',
                    'returned');
CREATE INDEX cases_assignee ON cases (assignee_code) WHERE assignee_code IS NOT NULL;
CREATE INDEX cases_pending_by ON cases (pending_by) WHERE pending_by IS NOT NULL;
CREATE INDEX cases_state_id ON cases (state, id);
CREATE INDEX cases_grid ON cases (grid_code);
CREATE INDEX cases_street_category ON cases (street_id, category);
-- The SLA sort (cases without a deadline last) as an expression index, so it needs no sort.
CREATE INDEX cases_sla ON cases (coalesce(deadline_at, 9e18), id);

-- Full-text search. Both tables are contentless (they keep only the index): trigram for
-- queries of 3+ characters, and one token per character for 1–2 characters (a phrase query).
CREATE VIRTUAL TABLE cases_fts3 USING fts5(body, content='', tokenize='trigram');
CREATE VIRTUAL TABLE cases_fts1 USING fts5(body, content='', tokenize='unicode61');
-- The highest case id already indexed; the indexer continues from there.
INSERT INTO meta (key, value) VALUES ('search_indexed_to', '0');
