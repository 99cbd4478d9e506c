-- The annual report compiled from the platform's own data (issue 7): the class of a document for
-- table 2 item （一）, the figures that come from other systems, and the report versions.

ALTER TABLE items ADD COLUMN doc_class TEXT CHECK (doc_class IN ('regulation', 'normative'));

-- Table-2 cells entered by the office per year (行政许可/处罚/强制 decisions, 行政事业性收费, the
-- 2019 item counts and procurement), each with its source.
CREATE TABLE report_figures (
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    year         BIGINT NOT NULL,
    cell         TEXT NOT NULL,
    value        TEXT,
    unit         TEXT,
    source       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (agency_id, year, cell)
);

-- One row per version of an agency's report for a year: compiled here (draft → submitted through
-- the review chain of its item → published; a later version is a restatement with a reason) or
-- imported from a published file with the parser.
CREATE TABLE annual_reports (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id      INTEGER NOT NULL REFERENCES agencies(id),
    year           BIGINT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('compiled', 'imported')),
    version        BIGINT NOT NULL,
    sections_json  TEXT NOT NULL,
    report_json    TEXT,
    source_name    TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    item_id        INTEGER REFERENCES items(id),
    submitted_at   BIGINT,
    published_at   BIGINT,
    actor          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (agency_id, year, origin, version)
);
CREATE INDEX annual_reports_year ON annual_reports (year, agency_id);

-- Compiling a year reads these without the rows' content (index-only where the database can).
CREATE INDEX applications_tally ON applications (agency_id, receipt_date, closed_on, applicant_type, disposition, case_no, state);
CREATE INDEX application_events_kind ON application_events (kind, application_id);
CREATE INDEX items_stats ON items (agency_id, column_id, law_item, published_at, withdrawn_at, was_published);
CREATE INDEX items_classed ON items (agency_id) WHERE doc_class IS NOT NULL;
