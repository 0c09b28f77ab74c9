-- Jurisdictions (issue 19): every account belongs to an organisation and works in a scope, and
-- the platform sends and accepts only what that scope allows (models/domain/scope.h).
--   org:   the code of the account's organisation, a team in `units` (a street's operations
--          sub-centre STR-01, an enforcement squad ENF-03, a district bureau MAR-00), or NULL for
--          the district operations centre.
--   scope: 'district', 'street:<street code>', 'community:<community code>',
--          'department:<unit type>' (a district bureau and all its squads) or
--          'department:<unit type>:<street code>' (one street's squad).
ALTER TABLE accounts ADD COLUMN org TEXT;
ALTER TABLE accounts ADD COLUMN scope TEXT NOT NULL DEFAULT 'district';

-- Accounts that existed before: a field account whose person belongs to a community (a grid
-- worker, a volunteer) works in that community; everyone else keeps the district.
UPDATE accounts
SET scope = 'community:' || (SELECT c.code FROM units u JOIN communities c ON c.id = u.community_id
                             WHERE u.code = accounts.person)
WHERE role = 'field' AND person IS NOT NULL
  AND EXISTS (SELECT 1 FROM units u WHERE u.code = accounts.person AND u.community_id IS NOT NULL);

-- What a scope reads of the case before each change (CaseLocus), so that the feed can tell a
-- console that a case left its scope (drop it) or entered it (here is all of it). NULL in
-- prev_closed: not known (changes from before this schema, and new cases).
ALTER TABLE changes ADD COLUMN prev_street INTEGER;
ALTER TABLE changes ADD COLUMN prev_community INTEGER;
ALTER TABLE changes ADD COLUMN prev_unit INTEGER;
ALTER TABLE changes ADD COLUMN prev_assignee INTEGER;
ALTER TABLE changes ADD COLUMN prev_closed INTEGER;

-- Which cases name a photo or document in their timeline's evidence, so that an attachment is
-- served only to accounts whose scope sees one of them. Kept by a trigger on the timeline.
CREATE TABLE case_evidence (
    sha256  TEXT NOT NULL,
    case_id INTEGER NOT NULL,
    PRIMARY KEY (sha256, case_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO case_evidence (sha256, case_id)
SELECT j.value, e.case_id FROM case_events e, json_each(e.payload, '$.evidence') j
WHERE json_valid(e.payload) AND json_type(e.payload, '$.evidence') = 'array';

CREATE TRIGGER case_events_evidence AFTER INSERT ON case_events
    WHEN json_valid(NEW.payload) AND json_type(NEW.payload, '$.evidence') = 'array'
BEGIN
    INSERT OR IGNORE INTO case_evidence (sha256, case_id)
    SELECT j.value, NEW.case_id FROM json_each(NEW.payload, '$.evidence') j;
END;

-- A street's snapshot pages read that street's cases in id order (PlatformStore::snapshot),
-- and a community's likewise: seek, don't scan the district.
CREATE INDEX IF NOT EXISTS cases_street_id ON cases (street_id, id);
CREATE INDEX IF NOT EXISTS cases_community_id ON cases (community_id, id);
