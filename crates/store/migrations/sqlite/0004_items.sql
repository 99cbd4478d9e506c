-- Proactive disclosure: information items (信息) with their catalogue metadata, the review trail,
-- and the 索引号 serials.

ALTER TABLE agencies ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';

CREATE TABLE index_serials (
    prefix  TEXT NOT NULL,
    year    BIGINT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE items (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id         INTEGER NOT NULL REFERENCES agencies(id),
    column_id         INTEGER NOT NULL REFERENCES columns(id),
    division_id       INTEGER REFERENCES divisions(id),
    drafter_id        INTEGER NOT NULL REFERENCES users(id),
    title             TEXT NOT NULL,
    summary           TEXT NOT NULL,
    body              TEXT NOT NULL,
    publisher         TEXT NOT NULL,
    doc_number        TEXT NOT NULL DEFAULT '',
    generated_on      TEXT NOT NULL,
    topic             TEXT NOT NULL,
    genre             TEXT NOT NULL DEFAULT '',
    keywords          TEXT NOT NULL DEFAULT '',
    attribute         TEXT NOT NULL CHECK (attribute IN ('active', 'on_request', 'withheld')),
    attribute_reason  TEXT NOT NULL DEFAULT '',
    law_item          TEXT,
    validity          TEXT CHECK (validity IN ('valid', 'repealed', 'expired')),
    effective_on      TEXT,
    repealed_on       TEXT,
    expired_on        TEXT,
    interprets_id     INTEGER REFERENCES items(id),
    status            TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'published', 'withdrawn')),
    review_step       BIGINT NOT NULL DEFAULT 0,
    review_round      BIGINT NOT NULL DEFAULT 0,
    fingerprint       TEXT,
    was_published     INTEGER NOT NULL DEFAULT 0 CHECK (was_published IN (0, 1)),
    publish_due       TEXT NOT NULL,
    publish_at        BIGINT,
    index_no          TEXT UNIQUE,
    published_at      BIGINT,
    public_json       TEXT,
    withdrawn_at      BIGINT,
    withdraw_reason   TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX items_agency ON items (agency_id, status, updated_at);
CREATE INDEX items_column ON items (column_id, status, published_at);

CREATE TABLE item_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id      INTEGER NOT NULL REFERENCES items(id),
    round        BIGINT NOT NULL,
    step         BIGINT,
    kind         TEXT NOT NULL,
    role         TEXT,
    actor_id     INTEGER REFERENCES users(id),
    actor        TEXT NOT NULL,
    opinion      TEXT NOT NULL DEFAULT '',
    fingerprint  TEXT,
    at           BIGINT NOT NULL
);
CREATE INDEX item_events_item ON item_events (item_id, id);
