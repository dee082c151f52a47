import type { Database } from 'better-sqlite3';

/**
 * The schema, as an ordered list: migration N brings a database from `user_version` N-1 to N.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: ((db: Database) => void)[] = [
  // 1: mails, their parts and headers, full-text search, tracking events, hub history
  (db) => {
    db.exec(`
      CREATE TABLE messages (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        id             TEXT NOT NULL UNIQUE,
        created_ms     INTEGER NOT NULL,
        message_id     TEXT NOT NULL DEFAULT '',
        subject        TEXT NOT NULL DEFAULT '',
        from_json      TEXT,
        to_json        TEXT NOT NULL DEFAULT '[]',
        cc_json        TEXT NOT NULL DEFAULT '[]',
        bcc_json       TEXT NOT NULL DEFAULT '[]',
        reply_to_json  TEXT NOT NULL DEFAULT '[]',
        return_path    TEXT NOT NULL DEFAULT '',
        date_ms        INTEGER,
        username       TEXT NOT NULL DEFAULT '',
        size           INTEGER NOT NULL,
        snippet        TEXT NOT NULL DEFAULT '',
        attachments    INTEGER NOT NULL DEFAULT 0,
        read           INTEGER NOT NULL DEFAULT 0,
        tags_json      TEXT NOT NULL DEFAULT '[]',
        warnings_json  TEXT NOT NULL DEFAULT '[]',
        envelope_from  TEXT NOT NULL DEFAULT '',
        envelope_to    TEXT NOT NULL DEFAULT '[]',
        remote_ip      TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX messages_created ON messages (created_ms);
      CREATE INDEX messages_read ON messages (read);
      -- has:attachment lists and counts only the mails with attachments.
      CREATE INDEX messages_with_attachments ON messages (seq) WHERE attachments > 0;
      -- Few mails carry tags; listing the tags in use reads only those.
      CREATE INDEX messages_tagged ON messages (tags_json) WHERE tags_json != '[]';

      -- Bodies and the tracking manifest, kept apart so that list queries (which page through messages) stay on small rows.
      CREATE TABLE message_body (
        seq            INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
        text           TEXT NOT NULL DEFAULT '',
        html           TEXT NOT NULL DEFAULT '',
        tracked_html   TEXT NOT NULL DEFAULT '',
        manifest_json  TEXT
      );

      -- The mail exactly as received, and as tracked, kept apart so list queries never read them.
      CREATE TABLE message_raw (
        seq      INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
        raw      BLOB NOT NULL,
        tracked  BLOB
      );

      CREATE TABLE message_parts (
        seq          INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
        part_id      TEXT NOT NULL,
        filename     TEXT NOT NULL DEFAULT '',
        content_type TEXT NOT NULL DEFAULT '',
        content_id   TEXT NOT NULL DEFAULT '',
        inline       INTEGER NOT NULL DEFAULT 0,
        size         INTEGER NOT NULL DEFAULT 0,
        md5          TEXT NOT NULL DEFAULT '',
        sha1         TEXT NOT NULL DEFAULT '',
        sha256       TEXT NOT NULL DEFAULT '',
        content      BLOB NOT NULL,
        PRIMARY KEY (seq, part_id)
      ) WITHOUT ROWID;

      CREATE TABLE message_headers (
        seq    INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
        pos    INTEGER NOT NULL,
        name   TEXT NOT NULL,
        value  TEXT NOT NULL,
        PRIMARY KEY (seq, pos)
      ) WITHOUT ROWID;
      CREATE INDEX message_headers_name ON message_headers (name, value);

      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, addresses, body,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );

      -- Deleting a mail removes its search entry and its tracking events with it.
      CREATE TRIGGER messages_deleted AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.seq;
        DELETE FROM events WHERE message_id = old.id;
      END;

      CREATE TABLE events (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL,
        url             TEXT NOT NULL DEFAULT '',
        metadata        TEXT NOT NULL DEFAULT '{}',
        remote_ip       TEXT NOT NULL DEFAULT '',
        ua              TEXT NOT NULL DEFAULT '',
        ts              INTEGER NOT NULL,
        token_id        TEXT NOT NULL,
        message_id      TEXT NOT NULL DEFAULT '',
        classification  TEXT NOT NULL,
        method          TEXT NOT NULL DEFAULT 'GET'
      );
      CREATE INDEX events_message ON events (message_id, id);
      -- Only one-click unsubscribes look events up by token (to stay idempotent); every other query goes by mail
      -- or by id. Each index is one more b-tree write per hit, so there are no others.
      CREATE INDEX events_unsub_token ON events (token_id) WHERE kind = 'unsub';

      CREATE TABLE hub_history (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        id       TEXT NOT NULL UNIQUE,
        topics   TEXT NOT NULL,
        data     TEXT NOT NULL,
        private  INTEGER NOT NULL DEFAULT 0,
        type     TEXT,
        retry    INTEGER
      );
    `);
  },
  // 2: the relay's outbox (one row per relay request, written in the mail's own transaction) and its attempts;
  // webhook deliveries (one row per endpoint and event, attempts kept as JSON since they are only ever shown)
  (db) => {
    db.exec(`
      CREATE TABLE relay_outbox (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id       TEXT NOT NULL,
        subject          TEXT NOT NULL DEFAULT '',
        envelope_from    TEXT NOT NULL DEFAULT '',
        recipients_json  TEXT NOT NULL,
        reason           TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'pending',
        relay_id         TEXT NOT NULL UNIQUE,
        attempt_count    INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms  INTEGER,
        created_ms       INTEGER NOT NULL,
        updated_ms       INTEGER NOT NULL
      );
      CREATE INDEX relay_outbox_due ON relay_outbox (status, next_attempt_ms);
      CREATE INDEX relay_outbox_message ON relay_outbox (message_id);

      CREATE TABLE relay_attempts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        outbox_id  INTEGER NOT NULL REFERENCES relay_outbox (id) ON DELETE CASCADE,
        at_ms      INTEGER NOT NULL,
        ok         INTEGER NOT NULL,
        reply      TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX relay_attempts_outbox ON relay_attempts (outbox_id, id);

      CREATE TABLE webhook_deliveries (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        webhook_id       TEXT NOT NULL,
        url              TEXT NOT NULL,
        event_type       TEXT NOT NULL,
        body             TEXT NOT NULL,
        status           TEXT NOT NULL DEFAULT 'pending',
        attempts_json    TEXT NOT NULL DEFAULT '[]',
        attempt_count    INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms  INTEGER,
        created_ms       INTEGER NOT NULL
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_ms);
    `);
  },
  // 3: the relay and webhook workers ask for "the next due row" after every send; partial indexes over the waiting
  // rows only, ordered as the query reads them, keep that a lookup instead of a sort of the whole backlog
  (db) => {
    db.exec(`
      DROP INDEX relay_outbox_due;
      CREATE INDEX relay_outbox_due ON relay_outbox (next_attempt_ms, id) WHERE status IN ('pending', 'failed');
      DROP INDEX webhook_deliveries_due;
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms, id)
        WHERE status IN ('pending', 'failed');
    `);
  },
  // 4: a mail's headers are only ever read all at once (the message view and its headers), so they are one JSON
  // array beside the body instead of a row each: storing a mail wrote ~15 rows and as many index entries for them
  (db) => {
    db.exec(`
      ALTER TABLE message_body ADD COLUMN headers_json TEXT NOT NULL DEFAULT '[]';
      UPDATE message_body SET headers_json = (
        SELECT json_group_array(json_object('name', name, 'value', value))
        FROM (SELECT name, value FROM message_headers h WHERE h.seq = message_body.seq ORDER BY pos)
      );
      DROP TABLE message_headers;
    `);
  },
  // 5: no query looks the outbox up by mail; its index was one more b-tree write inside every relayed mail's commit
  (db) => {
    db.exec('DROP INDEX relay_outbox_message');
  },
  // 6: a mail is stored as its bytes (as received and as tracked) and its tracking manifest, in one row; its text,
  // HTML and headers are read from the bytes when it is shown, as Mailpit does. Storing them as well wrote every
  // mail's HTML three more times and cost a third of the commit (docs/SMTP-BENCH.md). The manifest comes before the
  // bytes in the row, so reading it does not walk their overflow pages.
  (db) => {
    db.exec(`
      CREATE TABLE message_data (
        seq            INTEGER PRIMARY KEY REFERENCES messages (seq) ON DELETE CASCADE,
        manifest_json  TEXT,
        raw            BLOB NOT NULL,
        tracked        BLOB
      );
      INSERT INTO message_data (seq, manifest_json, raw, tracked)
        SELECT r.seq, b.manifest_json, r.raw, r.tracked
        FROM message_raw r LEFT JOIN message_body b ON b.seq = r.seq ORDER BY r.seq;
      DROP TABLE message_body;
      DROP TABLE message_raw;
    `);
  },
  // 7: `before:`, `after:` and `has:attachment` count their matches and how many are unread from an index alone:
  // the date index and the attachments index also hold `read` now, where counting took a look-up in the table for
  // every match (55,000 for a month of a busy mailbox)
  (db) => {
    db.exec(`
      DROP INDEX messages_created;
      CREATE INDEX messages_created ON messages (created_ms, read);
      DROP INDEX messages_with_attachments;
      CREATE INDEX messages_with_attachments ON messages (seq, read) WHERE attachments > 0;
    `);
  },
  // 8: the full-text index moves to a database of its own, filled behind the commits (store/search-index.ts); it is
  // built again there from the stored mails
  (db) => {
    db.exec(`
      DROP TRIGGER messages_deleted;
      DROP TABLE messages_fts;
      -- Deleting a mail removes its tracking events with it.
      CREATE TRIGGER messages_deleted AFTER DELETE ON messages BEGIN
        DELETE FROM events WHERE message_id = old.id;
      END;
    `);
  },
  // 9: a tracked mail may be kept as the patch that turns the mail as received into it (mime/patch.ts):
  // it changes a few lines, and a second copy of the whole mail was half of what each mail wrote
  (db) => {
    db.exec('ALTER TABLE message_data ADD COLUMN tracked_patch BLOB');
  },
  // 10: tags get a table of their own, so `tag:` and the counts per tag read an index instead of every mail's JSON;
  // messages.tags_json stays as the list rows' copy
  (db) => {
    db.exec(`
      CREATE TABLE message_tags (
        tag  TEXT NOT NULL COLLATE NOCASE,
        seq  INTEGER NOT NULL REFERENCES messages (seq) ON DELETE CASCADE,
        PRIMARY KEY (tag, seq)
      ) WITHOUT ROWID;
      -- Deleting a mail looks its tags up by seq.
      CREATE INDEX message_tags_seq ON message_tags (seq);
      INSERT OR IGNORE INTO message_tags (tag, seq)
        SELECT j.value, m.seq FROM messages m, json_each(m.tags_json) j WHERE m.tags_json != '[]';
    `);
  },
  // 11: the origin of a hit (a recipient's, or Mailbeacon's own preview and simulations), and the client it counts
  // as for "unique" (IP + user agent, or Apple's proxy as one client)
  (db) => {
    db.exec(`
      ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'recipient';
      ALTER TABLE events ADD COLUMN client TEXT NOT NULL DEFAULT '';
      UPDATE events SET client = remote_ip || ' ' || ua;
      `);
  },
  // 12: a large mail's bytes are written as slices, one commit each, before the row that makes it a mail
  // (SqliteMessageStore.writeSlices): one transaction of megabytes held the event loop for seconds. Its parts' decoded
  // bytes are read from the raw mail when asked for. Slices of a mail that never got its row are removed at start.
  (db) => {
    db.exec(`
      CREATE TABLE message_slices (
        mail_id  TEXT NOT NULL,
        kind     TEXT NOT NULL,
        n        INTEGER NOT NULL,
        data     BLOB NOT NULL,
        PRIMARY KEY (mail_id, kind, n)
      );
      ALTER TABLE message_data ADD COLUMN sliced INTEGER NOT NULL DEFAULT 0;
      DROP TRIGGER messages_deleted;
      -- Deleting a mail removes its tracking events and its slices with it.
      CREATE TRIGGER messages_deleted AFTER DELETE ON messages BEGIN
        DELETE FROM events WHERE message_id = old.id;
        DELETE FROM message_slices WHERE mail_id = old.id;
      END;
    `);
  },
  // 13: Mailbeacon's own hits are told apart: `preview` (the user reading the mail in the preview) and `simulated`
  // (hits made in a recipient's place), where both were `sandbox`. A stored sandbox hit is taken as simulated when it
  // came from an address only the simulations imitate (tracking/profiles.ts), else as the preview's.
  (db) => {
    db.exec(`
      UPDATE events SET source = CASE
          WHEN remote_ip IN ('203.0.113.25', '17.58.63.10', '66.249.84.10', '40.107.22.10', '209.85.220.41')
            THEN 'simulated'
          ELSE 'preview'
        END
      WHERE source = 'sandbox';
    `);
  },
  // 14: every page and filter reads narrow indexes rather than every mail's row: (seq, read) lets a page deep in the
  // list skip its predecessors, and counts the matches of a search (and how many are unread) without the rows;
  // size is looked up and message-id scanned in an index of their own; has:inline reads only inline parts
  (db) => {
    db.exec(`
      CREATE INDEX messages_seq_read ON messages (seq, read);
      CREATE INDEX messages_size ON messages (size, read);
      CREATE INDEX messages_message_id ON messages (message_id, read);
      CREATE INDEX message_parts_inline ON message_parts (seq) WHERE inline = 1;
    `);
  },
  // 15: inboxes. Every mail, tracking event and outbox entry belongs to one (`default` for everything stored before);
  // listing or searching one inbox walks its slice of (inbox, seq, read) newest first and counts it from that index
  // alone. seq is the order of arrival, so it stands for the received time here. An event and an outbox entry take
  // their mail's inbox as they are written, so neither tracking nor the relay has to know about inboxes.
  (db) => {
    db.exec(`
      CREATE TABLE inboxes (
        name        TEXT PRIMARY KEY,
        created_ms  INTEGER NOT NULL
      ) WITHOUT ROWID;
      ALTER TABLE messages ADD COLUMN inbox TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE events ADD COLUMN inbox TEXT NOT NULL DEFAULT 'default';
      ALTER TABLE relay_outbox ADD COLUMN inbox TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX messages_inbox ON messages (inbox, seq, read);
      CREATE INDEX events_inbox ON events (inbox, id);
      CREATE TRIGGER events_inbox AFTER INSERT ON events WHEN new.message_id != '' BEGIN
        UPDATE events SET inbox = coalesce((SELECT inbox FROM messages WHERE id = new.message_id), 'default')
          WHERE id = new.id;
      END;
      CREATE TRIGGER relay_outbox_inbox AFTER INSERT ON relay_outbox BEGIN
        UPDATE relay_outbox SET inbox = coalesce((SELECT inbox FROM messages WHERE id = new.message_id), 'default')
          WHERE id = new.id;
      END;
      INSERT INTO inboxes (name, created_ms)
        SELECT 'default', coalesce((SELECT min(created_ms) FROM messages), CAST(strftime('%s', 'now') AS INTEGER) * 1000);
    `);
  },
  // 16: `has:attachment` within one inbox: that inbox's mails with attachments, newest first, without reading the
  // rows of those without (an inbox may hold thousands of mails and no attachment at all).
  (db) => {
    db.exec('CREATE INDEX messages_inbox_attachments ON messages (inbox, seq, read) WHERE attachments > 0;');
  },
  // 17: what an inbox overrides of the flags (model/inbox-settings.ts), as JSON on its row: renaming the row carries
  // them, deleting it drops them
  (db) => {
    db.exec(`ALTER TABLE inboxes ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}'`);
  },
];
