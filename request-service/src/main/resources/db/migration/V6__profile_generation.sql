-- Each profile a running cluster moves to is a new generation of its add-ons (its first profile is 0).
ALTER TABLE cluster ADD COLUMN profile_generation bigint NOT NULL DEFAULT 0;
