-- A failed attempt is sent again after a back-off, not at once: not before retry_at.
ALTER TABLE addon_install ADD COLUMN retry_at timestamptz;
-- The agent answers once the add-on is rolled out (or its ready timeout passed): a command is given up on only
-- when its answer is overdue, the add-on's own ready timeout plus the command timeout after it was sent.
ALTER TABLE addon_install ADD COLUMN answer_due timestamptz;
UPDATE addon_install SET answer_due = sent_at + interval '5 minutes' WHERE state = 'SENT';
DROP INDEX addon_install_sent_idx;
CREATE INDEX addon_install_answer_due_idx ON addon_install (answer_due) WHERE state = 'SENT';
CREATE INDEX addon_install_retry_idx ON addon_install (retry_at) WHERE state = 'PENDING' AND retry_at IS NOT NULL;
