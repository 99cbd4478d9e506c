-- Disclosure applications (依申请公开), their events, files and reminders; the reconsideration
-- and litigation register; intake rate limiting. The role list gains 公开办负责人.

CREATE TABLE user_roles_new (
    user_id  INTEGER NOT NULL REFERENCES users(id),
    role     TEXT NOT NULL CHECK (role IN ('drafter', 'division_head', 'leader', 'office', 'office_head', 'supervisor', 'admin')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_new (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

CREATE TABLE applications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id        INTEGER NOT NULL REFERENCES agencies(id),
    case_no          TEXT NOT NULL UNIQUE,
    query_hash       TEXT NOT NULL,
    channel          TEXT NOT NULL,
    state            TEXT NOT NULL,
    applicant_type   TEXT NOT NULL,
    applicant_key    TEXT NOT NULL,
    applicant_json   TEXT NOT NULL,
    request_json     TEXT NOT NULL,
    case_json        TEXT NOT NULL,
    summary          TEXT NOT NULL,
    receipt_date     TEXT,
    due_date         TEXT,
    closed_on        TEXT,
    disposition      TEXT,
    handler_id       INTEGER REFERENCES users(id),
    division_id      INTEGER REFERENCES divisions(id),
    calendar_version BIGINT NOT NULL DEFAULT 0,
    submitted_at     BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX applications_agency_state ON applications (agency_id, state, due_date);
CREATE INDEX applications_applicant ON applications (agency_id, applicant_key, receipt_date);
CREATE INDEX applications_handler ON applications (handler_id, state);

CREATE TABLE application_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id   INTEGER NOT NULL REFERENCES applications(id),
    kind             TEXT NOT NULL,
    actor            TEXT NOT NULL,
    role             TEXT NOT NULL,
    at               BIGINT NOT NULL,
    detail_json      TEXT NOT NULL,
    due_before       TEXT,
    due_after        TEXT,
    calendar_version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX application_events_case ON application_events (application_id, id);

CREATE TABLE application_files (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id   INTEGER NOT NULL REFERENCES applications(id),
    name             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    size             BIGINT NOT NULL,
    sha256           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX application_files_case ON application_files (application_id, id);

CREATE TABLE application_reminders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id   INTEGER NOT NULL REFERENCES applications(id),
    kind             TEXT NOT NULL,
    due_date         TEXT NOT NULL,
    message          TEXT NOT NULL,
    at               BIGINT NOT NULL,
    UNIQUE (application_id, kind, due_date)
);
CREATE INDEX application_reminders_at ON application_reminders (at);

CREATE TABLE intake_attempts (
    addr_hash        TEXT NOT NULL,
    at               BIGINT NOT NULL
);
CREATE INDEX intake_attempts_addr ON intake_attempts (addr_hash, at);

CREATE TABLE proceedings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id        INTEGER NOT NULL REFERENCES agencies(id),
    application_id   INTEGER REFERENCES applications(id),
    kind             TEXT NOT NULL,
    filed_on         TEXT NOT NULL,
    result           TEXT NOT NULL,
    json             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX proceedings_agency ON proceedings (agency_id, filed_on);
