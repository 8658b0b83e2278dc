-- When the current command of an add-on went out: one that gets no answer in time is given up on.
ALTER TABLE addon_install ADD COLUMN sent_at timestamptz;
CREATE INDEX addon_install_sent_idx ON addon_install (sent_at) WHERE state = 'SENT';
