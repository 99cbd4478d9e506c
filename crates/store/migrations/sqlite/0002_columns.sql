-- Columns (栏目) of each agency's portal, including the standard 政府信息公开 column.

CREATE TABLE columns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    parent_id    INTEGER REFERENCES columns(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    law_item     TEXT,
    position     BIGINT NOT NULL,
    stale_days   BIGINT,
    standard     INTEGER NOT NULL DEFAULT 0 CHECK (standard IN (0, 1)),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX columns_agency ON columns (agency_id, parent_id, position);
