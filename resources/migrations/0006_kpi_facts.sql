-- Schema 6: per-case facts for the supervisor dashboard, so that its figures never replay the
-- timeline. One row per case, kept current by a trigger on every appended event; the backfill
-- below computes the same values from the existing timelines.
--   reworks, extensions, shelves, reopens: how many verify-fail, extend-approve, shelve and
--     reopen events the case has;
--   max_stage: the highest escalation stage it reached (report's entry_stage, notice = 1,
--     an approved escalation's target stage); skips: approved escalations that skipped a stage
--     (an approval carries to_stage and skip, or takes them from the request it approves:
--     req_stage and req_skip remember the latest escalate-request);
--   due: the deadline in force after the latest event (NULL when no clock runs);
--   late: 1 when a feedback (or recheck-corrected) came after the deadline in force.
CREATE TABLE case_facts (
    case_id    INTEGER PRIMARY KEY REFERENCES cases(id),
    reworks    INTEGER NOT NULL DEFAULT 0,
    extensions INTEGER NOT NULL DEFAULT 0,
    shelves    INTEGER NOT NULL DEFAULT 0,
    reopens    INTEGER NOT NULL DEFAULT 0,
    max_stage  INTEGER NOT NULL DEFAULT 0,
    skips      INTEGER NOT NULL DEFAULT 0,
    req_stage  INTEGER,
    req_skip   INTEGER,
    late       INTEGER NOT NULL DEFAULT 0,
    due        INTEGER
);

-- Backfill in one pass over the timelines (a window over each case's events in order). "setter"
-- packs (seq, due) of an event that sets or stops the clock, "req" packs (seq, to_stage, skip) of
-- an escalate-request; the latest of each before an event (max over the preceding rows, as seq
-- leads) is the deadline in force and the request an approval decides.
INSERT INTO case_facts (case_id, reworks, extensions, shelves, reopens, max_stage, skips,
                        req_stage, req_skip, late, due)
SELECT case_id,
       sum(kind = 'verify-fail'), sum(kind = 'extend-approve'), sum(kind = 'shelve'),
       sum(kind = 'reopen'),
       max(CASE kind WHEN 'notice' THEN 1
               WHEN 'report' THEN entry_stage
               WHEN 'escalate-approve' THEN coalesce(to_stage, (before_req >> 1) & 127, 0)
               ELSE 0 END),
       sum(kind = 'escalate-approve' AND coalesce(skip, before_req & 1, 0) <> 0),
       CASE WHEN max(req) IS NOT NULL THEN (max(req) >> 1) & 127 END,
       CASE WHEN max(req) IS NOT NULL THEN max(req) & 1 END,
       max(kind IN ('feedback', 'recheck-corrected') AND (before_due & 4398046511103) > 0
           AND at > (before_due & 4398046511103)),
       nullif(max(setter) & 4398046511103, 0)
  FROM (SELECT *,
               max(setter) OVER w AS before_due,
               max(req) OVER w AS before_req
          FROM (SELECT case_id, seq, kind, at,
                       CASE WHEN kind IN ('shelve', 'close', 'reject') THEN seq << 42
                            WHEN instr(payload, '"due"') > 0
                            THEN (seq << 42) | json_extract(payload, '$.due') END AS setter,
                       CASE WHEN kind = 'escalate-request'
                            THEN (seq << 8)
                                 | (coalesce(json_extract(payload, '$.to_stage'), 0) << 1)
                                 | (coalesce(json_extract(payload, '$.skip'), 0) <> 0) END AS req,
                       CASE WHEN kind = 'escalate-approve'
                            THEN json_extract(payload, '$.to_stage') END AS to_stage,
                       CASE WHEN kind = 'escalate-approve'
                            THEN json_extract(payload, '$.skip') END AS skip,
                       CASE WHEN kind = 'report'
                            THEN coalesce(json_extract(payload, '$.entry_stage'), 0) END
                           AS entry_stage
                  -- in (case_id, seq) order from the UNIQUE index: no sort for the window
                  FROM case_events INDEXED BY sqlite_autoindex_case_events_1)
        WINDOW w AS (PARTITION BY case_id ORDER BY seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
 GROUP BY case_id;

-- Only authoritative events count: a console's provisional events are replaced by the
-- platform's when they arrive, and counting both would count twice.
CREATE TRIGGER case_events_facts AFTER INSERT ON case_events WHEN NEW.provisional = 0
BEGIN
    INSERT OR IGNORE INTO case_facts (case_id) VALUES (NEW.case_id);
    UPDATE case_facts SET
        reworks = reworks + (NEW.kind = 'verify-fail'),
        extensions = extensions + (NEW.kind = 'extend-approve'),
        shelves = shelves + (NEW.kind = 'shelve'),
        reopens = reopens + (NEW.kind = 'reopen'),
        max_stage = max(max_stage,
            CASE NEW.kind WHEN 'notice' THEN 1
                WHEN 'escalate-approve' THEN coalesce(json_extract(NEW.payload, '$.to_stage'),
                                                      req_stage, 0)
                WHEN 'report' THEN coalesce(json_extract(NEW.payload, '$.entry_stage'), 0)
                ELSE 0 END),
        skips = skips + (NEW.kind = 'escalate-approve'
                         AND coalesce(json_extract(NEW.payload, '$.skip'), req_skip, 0) <> 0),
        req_stage = CASE NEW.kind WHEN 'escalate-request' THEN json_extract(NEW.payload, '$.to_stage')
                                  ELSE req_stage END,
        req_skip = CASE NEW.kind WHEN 'escalate-request'
                        THEN coalesce(json_extract(NEW.payload, '$.skip'), 0) ELSE req_skip END,
        late = late OR (NEW.kind IN ('feedback', 'recheck-corrected') AND due IS NOT NULL
                        AND NEW.at > due),
        due = CASE WHEN NEW.kind IN ('shelve', 'close', 'reject') THEN NULL
                   ELSE coalesce(json_extract(NEW.payload, '$.due'), due) END
     WHERE case_id = NEW.case_id;
END;
