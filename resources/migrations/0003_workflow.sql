-- Schema 3: what the queues need to know about a case's workflow without replaying its timeline.
-- pending: 'escalation' or 'extension' while a request waits for a supervisor.
ALTER TABLE cases ADD COLUMN pending TEXT CHECK (pending IN ('escalation', 'extension'));
ALTER TABLE cases ADD COLUMN pending_by TEXT;
ALTER TABLE cases ADD COLUMN pending_at INTEGER;
ALTER TABLE cases ADD COLUMN pending_to_stage INTEGER;
ALTER TABLE cases ADD COLUMN assignee_code TEXT;
ALTER TABLE cases ADD COLUMN handler TEXT;
ALTER TABLE cases ADD COLUMN linked_case INTEGER REFERENCES cases(id);

-- Backfill from the timelines: a request is pending when it is the last thing that happened.
UPDATE cases SET pending = 'escalation',
       pending_by = e.actor, pending_at = e.at,
       pending_to_stage = json_extract(e.payload, '$.to_stage')
  FROM case_events e
 WHERE e.case_id = cases.id AND e.seq = cases.version AND e.kind = 'escalate-request';
UPDATE cases SET pending = 'extension', pending_by = e.actor, pending_at = e.at
  FROM case_events e
 WHERE e.case_id = cases.id AND e.seq = cases.version AND e.kind = 'extend-request';
UPDATE cases SET assignee_code = (SELECT code FROM units WHERE units.id = cases.assignee_id)
 WHERE assignee_id IS NOT NULL;

CREATE INDEX cases_pending ON cases (pending, pending_at) WHERE pending IS NOT NULL;
CREATE INDEX cases_category_place ON cases (category, lat, lon);
CREATE INDEX cases_party ON cases (party) WHERE party IS NOT NULL;
