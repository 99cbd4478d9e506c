-- The working-day calendar (calendar.md): listed days and the revisions that loaded them.

CREATE TABLE calendar_revisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    years         TEXT NOT NULL,
    rows          BIGINT NOT NULL,
    content_hash  TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day       TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name      TEXT NOT NULL,
    revision  BIGINT NOT NULL REFERENCES calendar_revisions(id)
);
