-- Sign-in throttling keeps counters, not evidence (issue 18): the security log keeps every
-- sign-in. A successful sign-in resets the user's counter by marking the user's failures, so the
-- addresses they came from stay counted for their own window, and nothing is deleted before its
-- window ends.
ALTER TABLE login_failures ADD COLUMN user_cleared INTEGER NOT NULL DEFAULT 0;
DROP INDEX login_failures_user;
CREATE INDEX login_failures_user ON login_failures (username, user_cleared, at);
