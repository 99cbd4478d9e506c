-- The level of an agency (publishing.md §1.3): decides its Art. 21 items of proactive disclosure.
ALTER TABLE agencies ADD COLUMN level TEXT CHECK (level IN ('province', 'city', 'county', 'township'));
