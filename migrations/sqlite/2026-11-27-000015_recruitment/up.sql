-- Recruitment (SPEC §4): the application form a merchant asks applicants to fill in, and the
-- applications of members who want to become distributors.

-- The merchant's application form: a JSON array of fields (key, labels in zh and en, type,
-- required, options), checked by the service before it is stored. No row: a form without fields.
CREATE TABLE recruitment_forms (
    merchant_id BIGINT PRIMARY KEY REFERENCES merchants (id),
    fields TEXT NOT NULL,
    updated_by BIGINT,
    updated_at TIMESTAMP NOT NULL
);

-- One row per application. Applications decided at once (entry mode everyone, automatic review,
-- spend threshold met) are stored approved, so every distributor who joined by applying has one.
CREATE TABLE distributor_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    -- The entry mode in force when the member applied, and how the application is decided.
    entry_mode TEXT NOT NULL CHECK (entry_mode IN ('everyone', 'application', 'spend_threshold')),
    review TEXT NOT NULL CHECK (review IN ('auto', 'manual')),
    -- The answers with the labels the applicant saw (JSON), so later form changes rewrite nothing.
    answers TEXT NOT NULL,
    -- The recruiter: the code of the recruit link as typed, the distributor it named (or the one
    -- the member was bound to), and which of the two it was.
    sponsor_code TEXT,
    sponsor_id BIGINT REFERENCES distributors (id),
    sponsor_source TEXT CHECK (sponsor_source IN ('code', 'binding')),
    -- The distributor profile the approval created.
    distributor_id BIGINT REFERENCES distributors (id),
    decided_at TIMESTAMP,
    -- Who decided: a staff member, an API key, or the system (automatic approval).
    decided_by_kind TEXT CHECK (decided_by_kind IN ('staff', 'api_key', 'system')),
    decided_by BIGINT,
    reject_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'approved' OR distributor_id IS NOT NULL),
    CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
    CHECK ((sponsor_id IS NULL) = (sponsor_source IS NULL))
);
-- At most one open application per member, whatever the interleaving of concurrent requests.
CREATE UNIQUE INDEX distributor_applications_open_key ON distributor_applications (merchant_id, member_id) WHERE status = 'pending';
-- The review queue by status, and a member's own applications, in id order (cursor pages).
CREATE INDEX distributor_applications_status_idx ON distributor_applications (merchant_id, status, id);
CREATE INDEX distributor_applications_member_idx ON distributor_applications (merchant_id, member_id, id);
