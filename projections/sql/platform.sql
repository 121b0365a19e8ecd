-- The platform schema: the tenant registry (who exists, where their schema is).
CREATE SCHEMA IF NOT EXISTS platform;

CREATE TABLE IF NOT EXISTS platform.tenants (
    slug        text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL,
    kind        text NOT NULL,
    parent_slug text REFERENCES platform.tenants (slug),
    schema_name text NOT NULL UNIQUE,
    status      text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- What the tenant's database privileges were last installed from (services/store/dbroles.py).
ALTER TABLE platform.tenants ADD COLUMN IF NOT EXISTS roles_fingerprint text;

-- Read models of the platform log (platform.platform_events), kept by projections/platform.py.
CREATE TABLE IF NOT EXISTS platform.projection_tracking (
    projection text PRIMARY KEY,
    position   bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS platform.users (
    user_id    text PRIMARY KEY,
    account_id uuid NOT NULL UNIQUE,
    name       text NOT NULL,
    position bigint NOT NULL
);

-- A grant: user × tenant × role × optional unit scope × whether the tenant's children count.
CREATE TABLE IF NOT EXISTS platform.grants (
    grant_id         uuid PRIMARY KEY,
    user_id          text NOT NULL,
    tenant           text NOT NULL,
    role             text NOT NULL,
    unit_scope       uuid,
    include_children boolean NOT NULL,
    granted_by       text NOT NULL,
    granted_at       timestamptz NOT NULL,
    revoked_by       text,
    revoked_at       timestamptz,
    revoke_reason    text,
    position         bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS grants_user_idx ON platform.grants (user_id);

-- Published heads of each tenant's hash chain.
CREATE TABLE IF NOT EXISTS platform.checkpoints (
    tenant       text NOT NULL,
    position     bigint NOT NULL,
    head         text NOT NULL,
    events       bigint NOT NULL,
    published_at timestamptz NOT NULL,
    published_by text NOT NULL,
    log_position bigint NOT NULL,
    PRIMARY KEY (tenant, position)
);
-- The platform's signature of a checkpoint (services/audit/signing.py), when it was signed.
ALTER TABLE platform.checkpoints ADD COLUMN IF NOT EXISTS signed_at text;
ALTER TABLE platform.checkpoints ADD COLUMN IF NOT EXISTS public_key text;
ALTER TABLE platform.checkpoints ADD COLUMN IF NOT EXISTS signature text;

-- Reads by auditors and across tenants.
CREATE TABLE IF NOT EXISTS platform.access_log (
    access_id   uuid PRIMARY KEY,
    user_id     text NOT NULL,
    capacity    text NOT NULL,
    tenant      text NOT NULL,
    operation   text NOT NULL,
    target      text NOT NULL,
    accessed_at timestamptz NOT NULL,
    position    bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_tenant_idx ON platform.access_log (tenant, accessed_at);

-- Per-person keys sealing personal fields in events (storage/sealing.py); never in an
-- event table. An erasure nulls the key and leaves the row as its tombstone.
CREATE TABLE IF NOT EXISTS platform.personal_keys (
    subject_id uuid PRIMARY KEY,
    key        bytea,  -- NULL once erased: the row stays as the erasure's tombstone
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    erased_by  text,
    basis      text,
    erasure_position bigint,
    CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS platform.personal_key_tenants (
    subject_id uuid NOT NULL,
    tenant     text NOT NULL,
    PRIMARY KEY (subject_id, tenant)
);

-- Where each tenant's schema lives (projections/platform.py, from TenantPlacement events).
-- A tenant without a row is in the home database.
CREATE TABLE IF NOT EXISTS platform.placements (
    tenant     text PRIMARY KEY,
    database   text NOT NULL,
    moving_to  text,
    changed_at timestamptz NOT NULL,
    position   bigint NOT NULL
);

-- The databases this deployment may place tenants in, as last configured (CONGTAM_DATABASES):
-- a name and where it is, without credentials. Rewritten at every start of the home runtime.
CREATE TABLE IF NOT EXISTS platform.databases (
    name      text PRIMARY KEY,
    reference text NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now()
);

-- Reminders (services/office/reminders.py): where to send them, how many days ahead, what was
-- sent (one row per person and step, claimed before sending so replicas send it once).
CREATE TABLE IF NOT EXISTS platform.staff_contacts (
    tenant   text NOT NULL,
    staff_id uuid NOT NULL,
    email    text NOT NULL,
    PRIMARY KEY (tenant, staff_id)
);
CREATE TABLE IF NOT EXISTS platform.reminder_settings (
    tenant      text PRIMARY KEY,
    days_before int NOT NULL CHECK (days_before BETWEEN 0 AND 30)
);
CREATE TABLE IF NOT EXISTS platform.reminders_sent (
    tenant     text NOT NULL,
    person     text NOT NULL,
    step       text NOT NULL,
    due_on     date NOT NULL,
    claimed_by text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    email      text,
    sent_at    timestamptz,
    failure    text,
    PRIMARY KEY (tenant, person, step)
);
-- When the fleet last scanned: one row, so replicas share one interval between them.
CREATE TABLE IF NOT EXISTS platform.reminder_scans (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    scanned_at timestamptz NOT NULL,
    scanned_by text NOT NULL
);

-- A checked upload kept between the import page's preview and its commit
-- (services/http/uploads.py); the size bound is services.imports.MAX_BYTES.
CREATE TABLE IF NOT EXISTS platform.import_uploads (
    tenant     text NOT NULL,
    user_id    text NOT NULL,
    digest     text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
    kind       text NOT NULL,
    name       text NOT NULL,
    data       bytea NOT NULL CHECK (octet_length(data) <= 5242880),
    kept_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, user_id, digest)
);
CREATE INDEX IF NOT EXISTS import_uploads_kept_at ON platform.import_uploads (kept_at);
