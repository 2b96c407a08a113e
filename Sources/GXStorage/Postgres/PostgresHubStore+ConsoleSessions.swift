import GXDomain
import GXPostgres
import PostgresNIO

extension PostgresHubStore {
    public func openConsoleSession(_ session: ConsoleSession) async throws {
        try await transaction { [self] connection in
            try await connection.run("""
                INSERT INTO console_sessions (token_hash, principal_kind, principal_id, credential_hash, opened_at, last_seen_at)
                VALUES (\(session.tokenHash), \(session.principal.kind.rawValue), \(session.principal.id), \(session.credentialHash),
                        \(session.openedAt), \(session.lastSeenAt))
                """, logger: logger)
        }
    }

    public func consoleSession(tokenHash: String) async throws -> ConsoleSession? {
        try await read { [self] connection in
            // Joined with the credentials: a revoked credential ends the sessions opened with it.
            let rows = try await connection.query("""
                SELECT s.token_hash, s.principal_kind, s.principal_id, s.credential_hash, s.opened_at, s.last_seen_at
                FROM console_sessions s JOIN credentials c ON c.token_hash = s.credential_hash
                WHERE s.token_hash = \(tokenHash) AND c.principal_kind = s.principal_kind AND c.principal_id = s.principal_id
                """, logger: logger)
            for try await (hash, kind, id, credential, opened, seen) in rows.decode((String, String, String, String, String, String).self) {
                guard let principal = Principal(kind: kind, id: id) else { return nil }
                return ConsoleSession(tokenHash: hash, principal: principal, credentialHash: credential, openedAt: opened, lastSeenAt: seen)
            }
            return nil
        }
    }

    public func touchConsoleSession(tokenHash: String, at time: String) async throws {
        try await transaction { [self] connection in
            try await connection.run("""
                UPDATE console_sessions SET last_seen_at = \(time) WHERE token_hash = \(tokenHash) AND last_seen_at < \(time)
                """, logger: logger)
        }
    }

    public func closeConsoleSession(tokenHash: String) async throws {
        try await transaction { [self] connection in
            try await connection.run("DELETE FROM console_sessions WHERE token_hash = \(tokenHash)", logger: logger)
        }
    }

    public func closeConsoleSessions(lastSeenBefore: String, openedBefore: String) async throws {
        try await transaction { [self] connection in
            try await connection.run("""
                DELETE FROM console_sessions WHERE last_seen_at < \(lastSeenBefore) OR opened_at < \(openedBefore)
                """, logger: logger)
        }
    }
}
