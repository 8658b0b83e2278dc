-- An Idempotency-Key is unique within its project: two teams that pick the same key do not see each other.
ALTER TABLE cluster DROP CONSTRAINT cluster_idempotency_key_key;
ALTER TABLE cluster ADD CONSTRAINT cluster_project_idempotency_key_key UNIQUE (project, idempotency_key);
