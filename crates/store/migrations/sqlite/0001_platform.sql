-- Platform foundation: agencies, divisions, accounts, sessions, throttling, tokens, settings, audit.
-- Timestamps are BIGINT Unix milliseconds (UTC); booleans INTEGER 0/1 (docs/adr/0005).

CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   INTEGER REFERENCES agencies(id),
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('government', 'department', 'other')),
    created_at  BIGINT NOT NULL
);

CREATE TABLE divisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (agency_id, name)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    agency_id      INTEGER NOT NULL REFERENCES agencies(id),
    division_id    INTEGER REFERENCES divisions(id),
    password_hash  TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    auth_epoch     BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE user_roles (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    role     TEXT NOT NULL CHECK (role IN ('drafter', 'division_head', 'leader', 'office', 'supervisor', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash              TEXT PRIMARY KEY,
    user_id              INTEGER REFERENCES users(id),
    auth_epoch           BIGINT NOT NULL DEFAULT 0,
    csrf                 TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    touched_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL,
    absolute_expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    at   BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE account_tokens (
    token_hash  TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
    user_id     INTEGER REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_id     BIGINT,
    actor        TEXT NOT NULL,
    agency_id    BIGINT,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_agency ON audit_events (agency_id, seq);
CREATE INDEX audit_action ON audit_events (action, seq);

-- Append-only: the database refuses edits; the hash chain catches whoever drops these triggers.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
