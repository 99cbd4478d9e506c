-- Lookups the portal makes on every item page.
CREATE INDEX items_interprets ON items (interprets_id);
CREATE INDEX items_updated ON items (updated_at);
