import GRDB
import GXDomain

extension SQLiteHubStore {
    public func openConsoleSession(_ session: ConsoleSession) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO console_sessions (token_hash, principal_kind, principal_id, credential_hash, opened_at, last_seen_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [session.tokenHash, session.principal.kind.rawValue, session.principal.id, session.credentialHash,
                                 session.openedAt, session.lastSeenAt])
        }
    }

    public func consoleSession(tokenHash: String) async throws -> ConsoleSession? {
        try await pool.read { db in
            // Joined with the credentials: a revoked credential ends the sessions opened with it.
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.* FROM console_sessions s JOIN credentials c ON c.token_hash = s.credential_hash
                WHERE s.token_hash = ? AND c.principal_kind = s.principal_kind AND c.principal_id = s.principal_id
                """, arguments: [tokenHash]),
                  let principal = Principal(kind: row["principal_kind"], id: row["principal_id"]) else { return nil }
            return ConsoleSession(tokenHash: row["token_hash"], principal: principal, credentialHash: row["credential_hash"],
                                  openedAt: row["opened_at"], lastSeenAt: row["last_seen_at"])
        }
    }

    public func touchConsoleSession(tokenHash: String, at time: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ?",
                           arguments: [time, tokenHash, time])
        }
    }

    public func closeConsoleSession(tokenHash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE token_hash = ?", arguments: [tokenHash])
        }
    }

    public func closeConsoleSessions(lastSeenBefore: String, openedBefore: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE last_seen_at < ? OR opened_at < ?", arguments: [lastSeenBefore, openedBefore])
        }
    }
}
