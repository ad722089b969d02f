"""SQLite's schema: the migrations that build and upgrade the embedded file.

One function per change, never edited once released: a new need is a new migration, so an
old database upgrades in place. Plain SQL, because CHECK-free composite keys, foreign keys
and generated columns read best as the DDL they are. Allowed values (roles, job
categories, kinds) are checked in Python (accounts.py): a CHECK constraint would need a
table rebuild every time a list grows.

PostgreSQL's schema is `postgresql.sql` beside this file, the same tables written as they
stand after `BASELINE`; tests/test_schema_postgresql.py holds the two equal. A migration
after the baseline is a function here and a file `postgresql/<its name>.sql` there
(tests/test_schema_postgresql.py checks that each has both).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("proxi")
# The last migration that postgresql.sql already contains.
BASELINE = "m068_one_index_per_path"



@MIGRATIONS()
def m001_accounts(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,             -- bailleur | ville | association
            created_at TEXT NOT NULL
        );
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            identifier TEXT NOT NULL UNIQUE,  -- login, stored lower-case
            display_name TEXT NOT NULL,
            organisation_id INTEGER REFERENCES organisations(id),
            site TEXT NOT NULL DEFAULT '',
            job_category TEXT NOT NULL DEFAULT 'autre',  -- slug, see accounts.JOB_CATEGORIES
            roles TEXT NOT NULL DEFAULT 'learner',       -- comma list, see accounts.ROLES
            email TEXT,
            password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            erased_at TEXT
        );
        CREATE INDEX people_by_organisation ON people(organisation_id, active);
        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            identifier TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX login_failures_by_identifier ON login_failures(identifier, failed_at);
        CREATE TABLE web_sessions (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            person_id INTEGER NOT NULL REFERENCES people(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX web_sessions_by_person ON web_sessions(person_id);
        CREATE TABLE login_tickets (
            ticket_hash TEXT PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        """
    )


@MIGRATIONS()
def m002_events(db: sqlite_utils.Database) -> None:
    # Generated columns expose the context fields that reports filter and group on, so
    # their indexes are real column indexes and path analytics is an index-only scan.
    db.executescript(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            uuid TEXT NOT NULL UNIQUE,        -- xAPI statement id
            person_id INTEGER NOT NULL REFERENCES people(id),
            verb TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            result TEXT NOT NULL DEFAULT '{}',
            context TEXT NOT NULL DEFAULT '{}',
            state TEXT,                       -- scenario engine state after the move
            timestamp TEXT NOT NULL,          -- ISO 8601, UTC, with offset
            idempotency_key TEXT,
            module_id TEXT GENERATED ALWAYS AS (json_extract(context, '$.module_id')) VIRTUAL,
            scenario_id TEXT
                GENERATED ALWAYS AS (json_extract(context, '$.scenario_id')) VIRTUAL,
            session_id TEXT
                GENERATED ALWAYS AS (json_extract(context, '$.session_id')) VIRTUAL,
            node_id TEXT GENERATED ALWAYS AS (json_extract(context, '$.node_id')) VIRTUAL,
            choice_index INTEGER GENERATED ALWAYS AS (
                CASE verb WHEN 'chose' THEN json_extract(result, '$.response') END
            ) VIRTUAL,
            UNIQUE (person_id, idempotency_key)
        );
        CREATE INDEX events_by_person ON events(person_id, id);
        CREATE INDEX events_by_object ON events(object_type, object_id);
        CREATE INDEX events_by_scenario_path
            ON events(scenario_id, verb, node_id, choice_index);
        CREATE INDEX events_by_module ON events(module_id, verb);
        CREATE INDEX events_by_session ON events(session_id);
        CREATE INDEX events_by_timestamp ON events(timestamp);
        -- Append-only: a statement is never rewritten. Deleting stays possible, for the
        -- data-protection erasure and the retention command only.
        CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only');
        END;
        """
    )


@MIGRATIONS()
def m003_progress(db: sqlite_utils.Database) -> None:
    # Derived from events by proxi.progress.events; rebuilt by store.rebuild_derived. JSON columns
    # hold lists or the engine's state.
    db.executescript(
        """
        CREATE TABLE lesson_progress (
            person_id INTEGER NOT NULL REFERENCES people(id),
            module_id TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            last_step INTEGER NOT NULL,
            steps_seen TEXT NOT NULL,         -- JSON list of step indexes
            step_count INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            PRIMARY KEY (person_id, module_id, lesson_id)
        );
        CREATE TABLE block_answers (
            person_id INTEGER NOT NULL REFERENCES people(id),
            block_id TEXT NOT NULL,
            module_id TEXT,
            lesson_id TEXT,
            response TEXT,                    -- JSON, the latest answer
            correct INTEGER,
            attempts INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (person_id, block_id)
        );
        CREATE TABLE module_progress (
            person_id INTEGER NOT NULL REFERENCES people(id),
            module_id TEXT NOT NULL,
            status TEXT NOT NULL,   -- not_started | in_progress | quiz_failed | completed
            lesson_ids TEXT NOT NULL,         -- JSON list, as the content had it last
            lessons_done INTEGER NOT NULL,
            lessons_total INTEGER NOT NULL,
            quiz_best REAL,                   -- best score, percent
            quiz_attempts INTEGER NOT NULL,
            quiz_passed_at TEXT,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            PRIMARY KEY (person_id, module_id)
        );
        CREATE INDEX module_progress_by_module ON module_progress(module_id, status);
        CREATE TABLE scenario_progress (
            person_id INTEGER NOT NULL REFERENCES people(id),
            scenario_id TEXT NOT NULL,
            state TEXT,                       -- JSON, the engine state to resume
            plays INTEGER NOT NULL,
            endings TEXT NOT NULL,            -- JSON list of ending node ids reached
            best_outcome TEXT,                -- favourable | mitigee | defavorable
            last_ending_at TEXT,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (person_id, scenario_id)
        );
        CREATE INDEX scenario_progress_by_scenario
            ON scenario_progress(scenario_id, best_outcome);
        CREATE TABLE resume (
            person_id INTEGER PRIMARY KEY REFERENCES people(id),
            kind TEXT NOT NULL,               -- lesson | scenario
            module_id TEXT,
            lesson_id TEXT,
            step INTEGER,
            scenario_id TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE time_spent (
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL,               -- module | scenario
            subject_id TEXT NOT NULL,
            seconds REAL NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (person_id, kind, subject_id)
        );
        """
    )


@MIGRATIONS()
def m010_live_sessions(db: sqlite_utils.Database) -> None:
    # Group sessions (proxi.live.sessions). Everything a running session needs is here, not in
    # process memory, so a server restart mid-session loses nothing. Votes are WITHOUT ROWID
    # on (decision, participant): one current vote each, and a decision's tally reads one
    # contiguous range of the primary key.
    db.executescript(
        """
        CREATE TABLE live_sessions (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            day TEXT NOT NULL,                -- ISO date
            half_day TEXT NOT NULL,           -- matin | apres-midi
            place TEXT NOT NULL DEFAULT '',
            organisation_ids TEXT NOT NULL DEFAULT '[]',   -- JSON list
            scenario_ids TEXT NOT NULL DEFAULT '[]',       -- JSON list, in running order
            trainer_id INTEGER NOT NULL REFERENCES people(id),
            status TEXT NOT NULL DEFAULT 'draft',          -- draft | open | ended
            join_code TEXT UNIQUE,
            scenario_id TEXT,                 -- the scenario on screen
            state TEXT,                       -- JSON, the group's engine state
            decision_id INTEGER,              -- the decision on screen, NULL between votes
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            opened_at TEXT,
            ended_at TEXT
        );
        CREATE INDEX live_sessions_by_trainer ON live_sessions(trainer_id, day);
        CREATE TABLE live_participants (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions(id),
            person_id INTEGER REFERENCES people(id),
            guest_name TEXT,
            role_key TEXT,                    -- character played, for live role-play
            joined_at TEXT NOT NULL,
            UNIQUE (session_id, person_id)
        );
        CREATE TABLE live_passes (
            token_hash TEXT PRIMARY KEY,      -- a phone's proof that it is this participant
            participant_id INTEGER NOT NULL REFERENCES live_participants(id)
        );
        CREATE TABLE live_decisions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions(id),
            number INTEGER NOT NULL,          -- 1, 2, 3... within the session
            scenario_id TEXT NOT NULL,
            node_id TEXT NOT NULL,
            path TEXT NOT NULL,               -- JSON list of choice indexes from the start
            choices TEXT NOT NULL,            -- JSON list of the choice indexes offered
            status TEXT NOT NULL,             -- open | frozen | revealed | closed
            hands TEXT NOT NULL DEFAULT '{}', -- JSON {choice index: show-of-hands count}
            chosen INTEGER,                   -- the choice the group followed
            opened_at TEXT NOT NULL,
            revealed_at TEXT,
            closed_at TEXT,
            UNIQUE (session_id, number)
        );
        CREATE TABLE live_votes (
            decision_id INTEGER NOT NULL REFERENCES live_decisions(id),
            participant_id INTEGER NOT NULL REFERENCES live_participants(id),
            choice INTEGER NOT NULL,
            voted_at TEXT NOT NULL,
            PRIMARY KEY (decision_id, participant_id)
        ) WITHOUT ROWID;
        CREATE TABLE live_join_failures (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,                -- tab:..., person:... or ip:...
            failed_at TEXT NOT NULL
        );
        CREATE INDEX live_join_failures_by_key ON live_join_failures(key, failed_at);
        """
    )


@MIGRATIONS()
def m020_reports(db: sqlite_utils.Database) -> None:
    # Managers' reports (proxi.progress.reports, proxi.documents.tables). `play_mode` exposes solo/group so that
    # path analytics counts each apart from one covering index, joined to people by person_id
    # for the viewer's scope; adding a VIRTUAL column rewrites nothing.
    db.executescript(
        """
        CREATE TABLE module_due_dates (
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            module_id TEXT NOT NULL,
            due_on TEXT NOT NULL,             -- ISO date
            set_by INTEGER REFERENCES people(id),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (organisation_id, module_id)
        );
        CREATE TABLE report_settings (
            key TEXT PRIMARY KEY,             -- e.g. xapi_actor_key
            value TEXT NOT NULL
        );
        CREATE TABLE xapi_exports (
            endpoint TEXT PRIMARY KEY,        -- the LRS statements URL
            last_event_id INTEGER NOT NULL,   -- every event up to this id was accepted
            updated_at TEXT NOT NULL
        );
        ALTER TABLE events ADD COLUMN play_mode TEXT
            GENERATED ALWAYS AS (json_extract(context, '$.mode')) VIRTUAL;
        CREATE INDEX events_by_path_mode
            ON events(scenario_id, verb, node_id, choice_index, play_mode, person_id);
        -- Covering: the dashboard reads these columns for thousands of people without
        -- touching the rows (scenario rows carry the engine state, kilobytes each).
        CREATE INDEX module_progress_report ON module_progress(
            person_id, module_id, status, quiz_best, quiz_passed_at, completed_at, updated_at);
        CREATE INDEX scenario_progress_report ON scenario_progress(
            person_id, scenario_id, best_outcome, last_ending_at, updated_at);
        CREATE INDEX live_participants_by_person ON live_participants(person_id);
        CREATE INDEX live_decisions_by_scenario ON live_decisions(scenario_id, node_id);
        """
    )


@MIGRATIONS()
def m030_privacy(db: sqlite_utils.Database) -> None:
    # Data protection (proxi.ops.privacy, proxi.ops.retention). The append-only rule gets its one
    # exception: the erasure hands a person's events to their anonymous stand-in, a `people`
    # row marked erased; every other UPDATE of an event still aborts. Deleting stays allowed.
    db.executescript(
        """
        DROP TRIGGER events_are_append_only;
        CREATE TRIGGER events_are_append_only BEFORE UPDATE ON events
        WHEN NEW.person_id = OLD.person_id
            OR NOT EXISTS (SELECT 1 FROM people WHERE id = NEW.person_id AND erased_at IS NOT NULL)
        BEGIN
            SELECT RAISE(ABORT, 'events are append-only');
        END;
        -- Proof of training kept after an erasure when $PROXI_KEEP_ATTESTATIONS says so:
        -- a frozen copy, with no link to any other table.
        CREATE TABLE kept_attestations (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,               -- module | session
            display_name TEXT NOT NULL,
            organisation TEXT NOT NULL DEFAULT '',
            subject_id TEXT NOT NULL,         -- module id, or live-<session id>
            title TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',  -- JSON: dates, result, duration
            kept_at TEXT NOT NULL
        );
        -- The register of erasures (accountability): when, by whom, how much; never who.
        CREATE TABLE privacy_erasures (
            id INTEGER PRIMARY KEY,
            erased_at TEXT NOT NULL,
            erased_by INTEGER REFERENCES people(id),
            summary TEXT NOT NULL,            -- JSON {table: rows removed or anonymised}
            attestations_kept INTEGER NOT NULL
        );
        CREATE TABLE retention_purges (
            id INTEGER PRIMARY KEY,
            purged_at TEXT NOT NULL,
            cutoff TEXT NOT NULL,             -- detailed events before this were deleted
            retention_days INTEGER NOT NULL,
            events_deleted INTEGER NOT NULL,
            answers_cleared INTEGER NOT NULL
        );
        """
    )


@MIGRATIONS()
def m040_audit_log(db: sqlite_utils.Database) -> None:
    # Administrative acts (proxi.people.audit). Append-only like events, with the same one
    # exception: an erasure hands the erased person's rows to their anonymous stand-in.
    # Deleting stays allowed for the retention purge, which records how many it removed.
    db.executescript(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES people(id),   -- NULL: the command line (operator)
            action TEXT NOT NULL,                     -- slug, see audit.ACTIONS
            target_id INTEGER REFERENCES people(id),  -- the person acted on, if any
            target TEXT NOT NULL DEFAULT '',          -- what else: scenario, session, file
            details TEXT NOT NULL DEFAULT '{}'        -- JSON; never a name
        );
        CREATE INDEX audit_log_by_time ON audit_log(at);
        CREATE INDEX audit_log_by_target ON audit_log(target_id);
        CREATE INDEX audit_log_by_actor ON audit_log(actor_id);
        CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
        WHEN NOT (
            NEW.at IS OLD.at AND NEW.action IS OLD.action AND NEW.target IS OLD.target
            AND NEW.details IS OLD.details
            AND (NEW.actor_id IS OLD.actor_id
                 OR EXISTS (SELECT 1 FROM people WHERE id = NEW.actor_id AND erased_at IS NOT NULL))
            AND (NEW.target_id IS OLD.target_id
                 OR EXISTS (SELECT 1 FROM people WHERE id = NEW.target_id AND erased_at IS NOT NULL))
        )
        BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        ALTER TABLE retention_purges ADD COLUMN audit_deleted INTEGER NOT NULL DEFAULT 0;
        """
    )


@MIGRATIONS()
def m045_proof_documents(db: sqlite_utils.Database) -> None:
    # Proofs of training (proxi.documents.verification, proxi.documents.pdf): one code per
    # document ever issued, and the logo an organisation prints on its documents.
    db.executescript(
        """
        CREATE TABLE document_codes (
            code TEXT PRIMARY KEY,            -- 12 symbols, what /verifier is typed
            kind TEXT NOT NULL,               -- attestation | certificat | emargement | ...
            person_id INTEGER REFERENCES people(id),
            subject_id TEXT NOT NULL,         -- module id, live-<session id>-<half-day>, ...
            title TEXT NOT NULL,
            facts TEXT NOT NULL DEFAULT '{}', -- JSON {French label: value} as printed
            issued_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX document_codes_by_subject
            ON document_codes(kind, person_id, subject_id);
        CREATE TABLE organisation_logos (
            organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
            image BLOB NOT NULL,              -- PNG or JPEG, as uploaded
            updated_at TEXT NOT NULL
        );
        """
    )


@MIGRATIONS()
def m050_live_vote_display(db: sqlite_utils.Database) -> None:
    # Against the herd effect: a session can hide the projector's counts until the reveal,
    # and a vote can close by itself at a time the trainer set (NULL: no countdown).
    db.executescript(
        """
        ALTER TABLE live_sessions ADD COLUMN hide_counts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE live_decisions ADD COLUMN closes_at TEXT;
        """
    )


@MIGRATIONS()
def m055_attendance_signatures(db: sqlite_utils.Database) -> None:
    # Émargement per half-day (proxi.live.attendance). A sheet is opened for signing by the
    # trainer and closed by their countersignature; each participant signs it once from
    # their phone; the trainer notes late arrivals and early departures (HH:MM, Paris time).
    db.executescript(
        """
        CREATE TABLE live_sheets (
            session_id INTEGER NOT NULL REFERENCES live_sessions(id),
            half_day TEXT NOT NULL,              -- matin | apres-midi
            opened_at TEXT NOT NULL,
            countersigned_at TEXT,
            countersigned_by INTEGER REFERENCES people(id),
            PRIMARY KEY (session_id, half_day)
        );
        CREATE TABLE live_signatures (
            participant_id INTEGER NOT NULL REFERENCES live_participants(id),
            half_day TEXT NOT NULL,
            signed_at TEXT NOT NULL,
            device TEXT NOT NULL DEFAULT '',     -- the phone's browser (user agent)
            PRIMARY KEY (participant_id, half_day)
        );
        CREATE TABLE live_presence (
            participant_id INTEGER NOT NULL REFERENCES live_participants(id),
            half_day TEXT NOT NULL,
            arrived_late TEXT NOT NULL DEFAULT '',
            left_early TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (participant_id, half_day)
        );
        """
    )


@MIGRATIONS()
def m056_due_dates(db: sqlite_utils.Database) -> None:
    # Due dates for a person, a team (people.site) or an organisation
    # (proxi.progress.due_dates), replacing the organisation-only module_due_dates; and what
    # the reminders sent (proxi.ops.reminders), so each step of the schedule goes once.
    db.executescript(
        """
        CREATE TABLE due_dates (
            id INTEGER PRIMARY KEY,
            module_id TEXT NOT NULL,
            target TEXT NOT NULL,             -- organisation:<id> | site:<id>:<site> | person:<id>
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            site TEXT NOT NULL DEFAULT '',    -- the team, for a team's date
            person_id INTEGER REFERENCES people(id),
            due_on TEXT NOT NULL,             -- ISO date
            set_by INTEGER REFERENCES people(id),
            updated_at TEXT NOT NULL,
            UNIQUE (module_id, target)
        );
        INSERT INTO due_dates (module_id, target, organisation_id, due_on, set_by, updated_at)
            SELECT module_id, 'organisation:' || organisation_id, organisation_id, due_on,
                   set_by, updated_at FROM module_due_dates;
        DROP TABLE module_due_dates;
        CREATE TABLE reminders_sent (
            person_id INTEGER NOT NULL REFERENCES people(id),
            module_id TEXT NOT NULL,
            due_on TEXT NOT NULL,             -- a new date starts a new schedule
            step TEXT NOT NULL,               -- avant | retard-0 | retard-1 | ...
            sent_at TEXT NOT NULL,
            PRIMARY KEY (person_id, module_id, due_on, step)
        );
        CREATE TABLE digests_sent (
            manager_id INTEGER NOT NULL REFERENCES people(id),
            week TEXT NOT NULL,               -- ISO week, 2026-W12
            sent_at TEXT NOT NULL,
            PRIMARY KEY (manager_id, week)
        );
        """
    )


@MIGRATIONS()
def m060_studio(db: sqlite_utils.Database) -> None:
    # The authoring studio (proxi.people.authoring): each author's draft of each scenario,
    # kept across refreshes until published or discarded, and the versions trainers propose
    # for the coordination to publish.
    db.executescript(
        """
        CREATE TABLE studio_drafts (
            person_id INTEGER NOT NULL REFERENCES people(id),
            opened TEXT NOT NULL,             -- the scenario id opened; '' for a new one
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (person_id, opened)
        );
        CREATE TABLE scenario_proposals (
            id INTEGER PRIMARY KEY,
            scenario_id TEXT NOT NULL,        -- the file it would be published as
            opened TEXT NOT NULL,             -- the scenario it replaces; '' for a new one
            text TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',    -- the author's word to the coordination
            proposed_by INTEGER NOT NULL REFERENCES people(id),
            proposed_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending|published|declined|replaced
            decided_by INTEGER REFERENCES people(id),
            decided_at TEXT,
            reason TEXT NOT NULL DEFAULT ''   -- why it was declined
        );
        CREATE INDEX scenario_proposals_by_status ON scenario_proposals(status, proposed_at);
        """
    )


@MIGRATIONS()
def m061_xapi_voids(db: sqlite_utils.Database) -> None:
    # Statements of an erased person that an LRS already holds: each is withdrawn by a voiding
    # statement at the next export to that LRS, then its line goes. Linked to no person.
    db.executescript(
        """
        CREATE TABLE xapi_voids (
            endpoint TEXT NOT NULL,           -- the LRS statements URL it was sent to
            statement_id TEXT NOT NULL,       -- the id it was sent under
            queued_at TEXT NOT NULL,
            PRIMARY KEY (endpoint, statement_id)
        );
        """
    )


@MIGRATIONS()
def m062_invitations(db: sqlite_utils.Database) -> None:
    # Accounts a real organisation can hand out (proxi.people.invitations, accounts).
    db.executescript(
        """
        -- A password set by someone else is temporary: changed at the next login.
        ALTER TABLE people ADD COLUMN password_temporary INTEGER NOT NULL DEFAULT 0;
        -- One-time links to choose a password: a first one (invitation), a new one (reset),
        -- or the short one a login with a temporary password leads to (temporary).
        CREATE TABLE invitations (
            token_hash TEXT PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL,
            created_by INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX invitations_by_person ON invitations(person_id, used_at);
        -- Throttling by identifier AND client (accounts.authenticate): '' for failures
        -- recorded before the client was known.
        ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
        CREATE INDEX login_failures_by_client ON login_failures(identifier, client, failed_at);
        """
    )


@MIGRATIONS()
def m064_external_trainings(db: sqlite_utils.Database) -> None:
    # Training followed outside Proxi, recorded by a manager with its proof file
    # (proxi.people.follow_up writes, proxi.progress.external reads). The file is kept in the
    # database: owner-only like the file itself, in every backup, gone with an erasure.
    db.executescript(
        """
        CREATE TABLE external_trainings (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            title TEXT NOT NULL,
            provider TEXT NOT NULL,           -- the organisation that gave it
            started_on TEXT NOT NULL,         -- ISO dates
            ended_on TEXT NOT NULL,
            hours REAL NOT NULL,
            module_id TEXT,                   -- the module it stands for; NULL: none
            proof_name TEXT NOT NULL,         -- the file's name as uploaded
            proof_type TEXT NOT NULL,         -- application/pdf | image/png | image/jpeg
            proof BLOB NOT NULL,
            recorded_by INTEGER REFERENCES people(id),
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX external_trainings_by_person ON external_trainings(person_id, ended_on);
        CREATE INDEX external_trainings_by_module ON external_trainings(module_id, person_id);
        """
    )


@MIGRATIONS()
def m065_proof_retention(db: sqlite_utils.Database) -> None:
    # Proofs outlive the detail they are read from (proxi.ops.retention): when the purge
    # deletes a detailed event of a module, its time stays here for the relevé de connexions
    # (proxi.progress.connections) until the connections period ends. Each purge records the
    # cutoff of every period, so the relevé knows from when it is whole.
    db.executescript(
        """
        CREATE TABLE kept_activity (
            person_id INTEGER NOT NULL REFERENCES people(id),
            module_id TEXT NOT NULL,
            at TEXT NOT NULL                  -- the deleted event's timestamp
        );
        CREATE INDEX kept_activity_by_person ON kept_activity(person_id, module_id, at);
        CREATE INDEX kept_activity_by_time ON kept_activity(at);
        ALTER TABLE retention_purges ADD COLUMN cutoffs TEXT NOT NULL DEFAULT '{}';
        """
    )


@MIGRATIONS()
def m066_guest_devices(db: sqlite_utils.Database) -> None:
    # A guest's line belongs to the phone that opened it (proxi.live.room): the hash of its
    # device key, never the key itself. Lines from before this migration have none and are
    # still found by their name alone.
    db.execute("ALTER TABLE live_participants ADD COLUMN device_hash TEXT")


@MIGRATIONS()
def m067_drawn_signatures(db: sqlite_utils.Database) -> None:
    # The signature drawn on the phone's pad (proxi.live.drawing: bounded JSON strokes), kept
    # with the rest of the signature row, so it is exported, merged and purged with it.
    # Signatures from before this migration, and a tap without a pad, have none.
    db.execute("ALTER TABLE live_signatures ADD COLUMN drawing TEXT")


@MIGRATIONS()
def m068_one_index_per_path(db: sqlite_utils.Database) -> None:
    # events_by_scenario_path (m002) is an exact prefix of events_by_path_mode (m020): every
    # query it served, the longer one serves as well. One index fewer to keep up to date on
    # each event written (four generated columns computed for it).
    db.execute("DROP INDEX IF EXISTS events_by_scenario_path")
