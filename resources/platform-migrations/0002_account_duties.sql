-- Separation of duties compares people (issue 17): an administrator may give one person two
-- active accounts whose roles conflict (one could approve or verify what the other asked for or
-- handled) only with a recorded reason, kept with the second account.
ALTER TABLE accounts ADD COLUMN duty_reason TEXT;
