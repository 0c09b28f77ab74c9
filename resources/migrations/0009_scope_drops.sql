-- Schema 9 (issue 19): a console holds only the cases of its account's scope. When the platform
-- says a case left the scope, the cache removes it with its events, facts and evidence. The
-- timeline stays append-only otherwise: confirmed events may be deleted only while their case
-- is listed here with `deleting` set, which SyncStore::dropCase does inside the transaction that
-- removes the case and clears again before it commits; the row stays as the record that (and
-- when) the case left, and a case that comes back later is append-only again.
CREATE TABLE scope_drops (
    case_id  INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    deleting INTEGER NOT NULL DEFAULT 0
);

DROP TRIGGER case_events_no_delete;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
    WHEN OLD.provisional = 0 AND NOT EXISTS (SELECT 1 FROM scope_drops WHERE case_id = OLD.case_id
                                             AND deleting = 1)
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only');
END;
