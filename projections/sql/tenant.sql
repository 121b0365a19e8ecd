-- Read models of one tenant, in that tenant's schema ({schema} is replaced by t_<slug>).
-- Every row carries the log position (notification id) of the last event that touched it.

CREATE TABLE IF NOT EXISTS {schema}.projection_tracking (
    projection text PRIMARY KEY,
    position   bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS {schema}.rm_units (
    unit_id   uuid PRIMARY KEY,
    name      text NOT NULL,
    kind      text NOT NULL,
    parent_id uuid,
    leader_id uuid,
    position  bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS {schema}.rm_staff (
    staff_id       uuid PRIMARY KEY,
    full_name      text NOT NULL,
    staff_type     text NOT NULL,
    position_title text NOT NULL,
    unit_id        uuid NOT NULL,
    party_member   boolean NOT NULL,
    position       bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_staff_unit_idx ON {schema}.rm_staff (unit_id);

CREATE TABLE IF NOT EXISTS {schema}.rm_periods (
    period_id       uuid PRIMARY KEY,
    unit_id         uuid NOT NULL,
    kind            text NOT NULL,
    year            int NOT NULL,
    number          int NOT NULL,
    deadline        date NOT NULL,
    policy_version  text NOT NULL,
    status          text NOT NULL,
    member_count    int NOT NULL,
    decided_count   int NOT NULL DEFAULT 0,
    excellent_count int NOT NULL DEFAULT 0,
    opened_by       text NOT NULL,
    opened_at       timestamptz NOT NULL,
    closed_at       timestamptz,
    position        bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_periods_unit_idx ON {schema}.rm_periods (unit_id, year, number);

CREATE TABLE IF NOT EXISTS {schema}.rm_ratings (
    evaluation_id    uuid PRIMARY KEY,
    period_id        uuid NOT NULL,
    unit_id          uuid NOT NULL,
    staff_id         uuid NOT NULL,
    subject          text NOT NULL,
    kind             text NOT NULL,
    year             int NOT NULL,
    number           int NOT NULL,
    status           text NOT NULL,
    self_score       numeric(5, 2),
    self_level       text,
    self_assessed_at timestamptz,
    level            text,
    score            numeric(5, 2),
    reasons          text,
    policy_version   text,
    decided_by       text,
    decided_at       timestamptz,
    position         bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_ratings_unit_idx ON {schema}.rm_ratings (unit_id, year, number);
CREATE INDEX IF NOT EXISTS rm_ratings_staff_idx ON {schema}.rm_ratings (staff_id, year, number);

-- Unit × period boards (projection "boards"): completion, lateness, quota, distribution.
CREATE TABLE IF NOT EXISTS {schema}.rm_board_staff (
    staff_id   uuid PRIMARY KEY,
    staff_type text NOT NULL,
    peer_group text NOT NULL,
    position   bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS {schema}.rm_boards (
    period_id          uuid PRIMARY KEY,
    unit_id            uuid NOT NULL,
    kind               text NOT NULL,
    year               int NOT NULL,
    number             int NOT NULL,
    deadline           date NOT NULL,
    policy_version     text NOT NULL,
    status             text NOT NULL,
    member_count       int NOT NULL,
    quota_cap          int NOT NULL,
    quota_used         int NOT NULL DEFAULT 0,
    self_assessed      int NOT NULL DEFAULT 0,
    proposed           int NOT NULL DEFAULT 0,
    decided            int NOT NULL DEFAULT 0,
    published          int NOT NULL DEFAULT 0,
    late_self_assessed int NOT NULL DEFAULT 0,
    late_decided       int NOT NULL DEFAULT 0,
    position           bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_boards_month_idx ON {schema}.rm_boards (year, number, unit_id);
CREATE INDEX IF NOT EXISTS rm_boards_unit_idx ON {schema}.rm_boards (unit_id, year, number);

CREATE TABLE IF NOT EXISTS {schema}.rm_board_members (
    evaluation_id    uuid PRIMARY KEY,
    period_id        uuid NOT NULL,
    staff_id         uuid NOT NULL,
    staff_type       text NOT NULL,
    peer_group       text NOT NULL,
    self_assessed_at timestamptz,
    self_late        boolean NOT NULL DEFAULT false,
    level            text,
    score            numeric(5, 2),
    decided_at       timestamptz,
    decided_late     boolean NOT NULL DEFAULT false,
    position         bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_board_members_period_idx
    ON {schema}.rm_board_members (period_id, staff_id);

-- Per-person timelines (projection "timeline").
CREATE TABLE IF NOT EXISTS {schema}.rm_timeline_evaluations (
    evaluation_id uuid PRIMARY KEY,
    staff_id      uuid NOT NULL,
    period_id     uuid NOT NULL,
    kind          text NOT NULL,
    year          int NOT NULL,
    number        int NOT NULL
);

CREATE TABLE IF NOT EXISTS {schema}.rm_timeline (
    staff_id      uuid NOT NULL,
    position      bigint NOT NULL,
    evaluation_id uuid NOT NULL,
    period_id     uuid NOT NULL,
    kind          text NOT NULL,
    year          int NOT NULL,
    number        int NOT NULL,
    entry         text NOT NULL,
    level         text,
    score         numeric(5, 2),
    actor         text NOT NULL,
    capacity      text NOT NULL,
    at            timestamptz NOT NULL,
    PRIMARY KEY (staff_id, position)
);

-- Month-over-month counts per unit (projection "trends"): counts only, never people.
CREATE TABLE IF NOT EXISTS {schema}.rm_trend_months (
    period_id uuid PRIMARY KEY,
    unit_id   uuid NOT NULL,
    kind      text NOT NULL,
    year      int NOT NULL,
    number    int NOT NULL,
    members   int NOT NULL,
    decided   int NOT NULL DEFAULT 0,
    level_a   int NOT NULL DEFAULT 0,
    level_b   int NOT NULL DEFAULT 0,
    level_c   int NOT NULL DEFAULT 0,
    level_d   int NOT NULL DEFAULT 0,
    position  bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_trend_months_idx ON {schema}.rm_trend_months (kind, year, number);

-- Appeals (projection "appeals"): one row per appeal, and each of its steps.
CREATE TABLE IF NOT EXISTS {schema}.rm_appeals (
    appeal_id        uuid PRIMARY KEY,
    evaluation_id    uuid NOT NULL,
    staff_id         uuid NOT NULL,
    unit_id          uuid NOT NULL,
    period_id        uuid NOT NULL,
    year             int NOT NULL,
    number           int NOT NULL,
    decided_by       text NOT NULL,
    decided_level    text NOT NULL,
    decided_score    numeric(5, 2) NOT NULL,
    decided_on       date NOT NULL,
    grounds          text NOT NULL,
    level_claimed    text,
    evidence         text NOT NULL,
    filed_on         date NOT NULL,
    filed_at         timestamptz NOT NULL,
    status           text NOT NULL,
    instance         int NOT NULL,
    reviewer         text,
    reviewer_tenant  text NOT NULL DEFAULT '',
    due_on           date NOT NULL,
    escalated_on     date,
    first_reviewer   text,
    first_outcome    text,
    first_decided_on date,
    first_decided_at timestamptz,
    escalate_by      date,
    outcome          text,
    closed_at        timestamptz,
    current_level    text NOT NULL,
    current_score    numeric(5, 2) NOT NULL,
    position         bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_appeals_unit_idx ON {schema}.rm_appeals (unit_id, status);
CREATE INDEX IF NOT EXISTS rm_appeals_staff_idx ON {schema}.rm_appeals (staff_id);
CREATE INDEX IF NOT EXISTS rm_appeals_reviewer_idx ON {schema}.rm_appeals (reviewer, status);
CREATE INDEX IF NOT EXISTS rm_appeals_decider_idx ON {schema}.rm_appeals (decided_by);

CREATE TABLE IF NOT EXISTS {schema}.rm_appeal_steps (
    appeal_id uuid NOT NULL,
    position  bigint NOT NULL,
    instance  int NOT NULL,
    step      text NOT NULL,
    actor     text NOT NULL,
    capacity  text NOT NULL,
    at        timestamptz NOT NULL,
    note      text NOT NULL,
    level     text,
    score     numeric(5, 2),
    PRIMARY KEY (appeal_id, position)
);

-- Leader accountability (projection "leaders"): every decision and what became of it.
CREATE TABLE IF NOT EXISTS {schema}.rm_leader_decisions (
    evaluation_id      uuid PRIMARY KEY,
    unit_id            uuid NOT NULL,
    staff_id           uuid NOT NULL,
    period_id          uuid NOT NULL,
    year               int NOT NULL,
    number             int NOT NULL,
    ready_at           timestamptz NOT NULL,
    self_assessed      boolean NOT NULL DEFAULT false,
    decider            text,
    capacity           text,
    policy_version     text,
    level              text,
    score              numeric(5, 2),
    reasons            text,
    decided_at         timestamptz,
    appeals            int NOT NULL DEFAULT 0,
    overturned         boolean NOT NULL DEFAULT false,
    overturned_by      text,
    overturned_at      timestamptz,
    overturn_appeal_id uuid,
    amended_level      text,
    amended_score      numeric(5, 2),
    position           bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_leader_decisions_decider_idx
    ON {schema}.rm_leader_decisions (decider);

-- Ratings amended on appeal carry the appeal they cite (projection "ratings").
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS appeal_id uuid;

-- Evaluation domain, second shape (projections "organisation", "periods", "ratings",
-- "policies"): columns added to the first tables, and tables for the new events. ADD COLUMN
-- IF NOT EXISTS keeps existing tenant schemas upgradable in place.
ALTER TABLE {schema}.rm_staff ADD COLUMN IF NOT EXISTS peer_group text NOT NULL DEFAULT '';
ALTER TABLE {schema}.rm_staff ADD COLUMN IF NOT EXISTS party_cell text NOT NULL DEFAULT '';
ALTER TABLE {schema}.rm_staff ADD COLUMN IF NOT EXISTS start_date date;
ALTER TABLE {schema}.rm_periods ADD COLUMN IF NOT EXISTS outstanding boolean NOT NULL DEFAULT false;
ALTER TABLE {schema}.rm_periods ADD COLUMN IF NOT EXISTS published_at timestamptz;
ALTER TABLE {schema}.rm_periods ADD COLUMN IF NOT EXISTS published_by text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS authority text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS criteria jsonb;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS proposed_level text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS proposed_score numeric(5, 2);
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS strengths text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS shortcomings text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS proposed_by text;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS opinion_count int NOT NULL DEFAULT 0;
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS published_at timestamptz;
-- The evaluation's aggregate version: an edit names the version it read (STALE_VERSION).
ALTER TABLE {schema}.rm_ratings ADD COLUMN IF NOT EXISTS version int NOT NULL DEFAULT 1;

-- Absences and discipline records of a person (one row per event).
CREATE TABLE IF NOT EXISTS {schema}.rm_staff_records (
    position    bigint PRIMARY KEY,
    staff_id    uuid NOT NULL,
    kind        text NOT NULL,          -- absence | maternity | discipline
    starts_on   date NOT NULL,
    ends_on     date,
    detail      text NOT NULL,
    recorded_by text NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_staff_records_idx ON {schema}.rm_staff_records (staff_id);

-- Units flagged outstanding, per year (the higher quota applies).
CREATE TABLE IF NOT EXISTS {schema}.rm_unit_flags (
    unit_id     uuid NOT NULL,
    year        int NOT NULL,
    outstanding boolean NOT NULL,
    reasons     text NOT NULL,
    position    bigint NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- Transfers between units (and from other tenants).
CREATE TABLE IF NOT EXISTS {schema}.rm_transfers (
    position    bigint PRIMARY KEY,
    staff_id    uuid NOT NULL,
    from_unit   uuid,
    to_unit     uuid NOT NULL,
    from_tenant text NOT NULL,
    reasons     text NOT NULL,
    at          timestamptz NOT NULL
);

-- Quota exceptions granted by the competent higher level.
CREATE TABLE IF NOT EXISTS {schema}.rm_quota_exceptions (
    position   bigint PRIMARY KEY,
    period_id  uuid NOT NULL,
    level      text NOT NULL,
    scope      text NOT NULL,
    extra      int NOT NULL,
    reasons    text NOT NULL,
    authority  text NOT NULL,
    granted_by text NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_quota_exceptions_idx ON {schema}.rm_quota_exceptions (period_id);

-- Opinions attached to an evaluation (colleague, Party cell, citizens' satisfaction).
CREATE TABLE IF NOT EXISTS {schema}.rm_opinions (
    position      bigint PRIMARY KEY,
    evaluation_id uuid NOT NULL,
    source        text NOT NULL,
    body          text NOT NULL,
    satisfaction  numeric(5, 2),
    author        text NOT NULL,
    at            timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_opinions_idx ON {schema}.rm_opinions (evaluation_id);

-- Every version of the tenant's policy, per cycle.
CREATE TABLE IF NOT EXISTS {schema}.rm_policies (
    cycle      text NOT NULL,
    revision   int NOT NULL,
    version    text NOT NULL,
    preset     text NOT NULL,
    policy     jsonb NOT NULL,
    reasons    text NOT NULL,
    adopted_by text NOT NULL,
    at         timestamptz NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (cycle, revision)
);

-- Reorganisation (projection "organisation"): people who left for another tenant, monthly
-- results brought from another tenant, and the tenant's merges.
ALTER TABLE {schema}.rm_staff ADD COLUMN IF NOT EXISTS left_for text;
CREATE TABLE IF NOT EXISTS {schema}.rm_prior_results (
    result_key  text PRIMARY KEY,       -- staff/year/month/tenant
    staff_id    uuid NOT NULL,
    year        int NOT NULL,
    month       int NOT NULL,
    level       text NOT NULL,
    score       numeric(5, 2) NOT NULL,
    from_tenant text NOT NULL,
    position    bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_prior_results_idx ON {schema}.rm_prior_results (staff_id);
CREATE TABLE IF NOT EXISTS {schema}.rm_tenant_lineage (
    position     bigint PRIMARY KEY,
    relation     text NOT NULL,         -- merged_into | absorbed
    other_tenant text NOT NULL,
    staff        int,
    periods      int,
    reasons      text,
    at           timestamptz NOT NULL
);

-- Annual rounds of collectives (projection "collectives"): one row per unit and year.
CREATE TABLE IF NOT EXISTS {schema}.rm_collective_ratings (
    round_id       uuid NOT NULL,
    unit_id        uuid NOT NULL,
    year           int NOT NULL,
    unit_name      text NOT NULL,
    kind           text NOT NULL,
    parent_id      uuid NOT NULL,
    rank           int NOT NULL,
    status         text NOT NULL,
    level          text,
    score          numeric(5, 2),
    reasons        text,
    policy_version text,
    authority      text,
    decided_by     text,
    decided_at     timestamptz,
    position       bigint NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);

-- Work outputs (projections/work.py, Decree 335/2025): one row per assigned item with its
-- status, report and confirmation ("my work", "the unit's work board", the breakdown).
CREATE TABLE IF NOT EXISTS {schema}.rm_work_items (
    item_id            uuid PRIMARY KEY,
    unit_id            uuid NOT NULL,
    staff_id           uuid NOT NULL,
    kind               text NOT NULL,
    year               int NOT NULL,
    number             int NOT NULL,
    title              text NOT NULL,
    catalogue_key      text,
    catalogue_version  text NOT NULL,
    coefficient        double precision NOT NULL,
    expected_quantity  double precision NOT NULL,
    assigned_on        date NOT NULL,
    deadline           date NOT NULL,
    assigned_by        text NOT NULL,
    assigned_at        timestamptz NOT NULL,
    reassigned_from    uuid,
    status             text NOT NULL,
    closing_reasons    text NOT NULL DEFAULT '',
    reported_quantity  double precision,
    done_on            date,
    evidence           text NOT NULL DEFAULT '',
    confirmed_by       text,
    confirmed_quantity double precision,
    quality            text,
    failed_checks      int NOT NULL DEFAULT 0,
    quality_waived     boolean NOT NULL DEFAULT false,
    timeliness         text,
    delays             int NOT NULL DEFAULT 0,
    timeliness_waived  boolean NOT NULL DEFAULT false,
    waiver_reasons     text NOT NULL DEFAULT '',
    comment            text NOT NULL DEFAULT '',
    position           bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_work_items_staff_idx
    ON {schema}.rm_work_items (staff_id, kind, year, number);
CREATE INDEX IF NOT EXISTS rm_work_items_unit_idx
    ON {schema}.rm_work_items (unit_id, kind, year, number);

-- Every catalogue version the tenant used (established, revised, inherited, adjusted).
CREATE TABLE IF NOT EXISTS {schema}.rm_work_catalogues (
    version           text PRIMARY KEY,
    source            text NOT NULL,
    province_tenant   text NOT NULL,
    province_version  text NOT NULL,
    catalogue         jsonb NOT NULL,
    dropped           jsonb NOT NULL,
    reasons           text NOT NULL,
    at                timestamptz NOT NULL,
    position          bigint NOT NULL
);

-- The score a decision was computed with (Evaluation.WorkScoreComputed), per evaluation.
CREATE TABLE IF NOT EXISTS {schema}.rm_work_scores (
    evaluation_id       uuid PRIMARY KEY,
    assigned_units      double precision NOT NULL,
    completed_units     double precision NOT NULL,
    quantity_percent    double precision NOT NULL,
    quality_percent     double precision NOT NULL,
    timeliness_percent  double precision NOT NULL,
    unit_percent        double precision,
    results_points      double precision NOT NULL,
    general_points      double precision NOT NULL,
    score               double precision NOT NULL,
    earned_level        text NOT NULL,
    decided_level       text NOT NULL,
    above_computed      boolean NOT NULL,
    catalogue_versions  jsonb NOT NULL,
    policy_version      text NOT NULL,
    position            bigint NOT NULL
);
-- A decision above the score computed from work (Decree 335, issue 21) shows as such.
ALTER TABLE {schema}.rm_leader_decisions ADD COLUMN IF NOT EXISTS computed_score numeric(5, 2);
ALTER TABLE {schema}.rm_leader_decisions ADD COLUMN IF NOT EXISTS computed_level text;
ALTER TABLE {schema}.rm_leader_decisions
    ADD COLUMN IF NOT EXISTS above_computed boolean NOT NULL DEFAULT false;
-- Commendation proposals (projection "commendations"): one row per nominee and basis.
CREATE TABLE IF NOT EXISTS {schema}.rm_commendations (
    commendation_id uuid PRIMARY KEY,
    basis           text NOT NULL,
    nominee_id      uuid NOT NULL,
    nominee_kind    text NOT NULL,
    evidence        text[] NOT NULL,
    reasons         text NOT NULL,
    status          text NOT NULL,
    proposed_by     text NOT NULL,
    proposed_at     timestamptz NOT NULL,
    decided_reasons text,
    decided_by      text,
    decided_at      timestamptz,
    position        bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_commendations_basis_idx ON {schema}.rm_commendations (basis);
-- The policy version whose commendation rules the proposal met ('' before proposals said).
ALTER TABLE {schema}.rm_commendations
    ADD COLUMN IF NOT EXISTS policy_version text NOT NULL DEFAULT '';
