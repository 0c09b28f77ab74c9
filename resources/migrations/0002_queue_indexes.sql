-- Schema 2: indexes for the case list and the per-place lookups.
CREATE INDEX cases_state_deadline ON cases (state, deadline_at);
CREATE INDEX cases_street ON cases (street_id, reported_at);
CREATE INDEX cases_category ON cases (category, reported_at);
CREATE INDEX cases_reported ON cases (reported_at);
CREATE INDEX communities_street ON communities (street_id);
CREATE INDEX grids_community ON grids (community_id);
CREATE INDEX units_street ON units (street_id, unit_type);
CREATE INDEX attachments_case ON attachments (case_id);
