import GXDomain
import Hummingbird
import NIOConcurrencyHelpers

extension Hub {
    func addHealthRoutes(to router: Router<HubRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        // Ready when the database answers and its schema is exactly the one this gx migrates to: a load
        // balancer keeps traffic away from a hub whose database is down or was migrated by a newer gx. A probe
        // answers within `readinessTimeout`: a database that does not answer in time is down, for a probe.
        let readinessTimeout = readinessTimeout
        router.get("/readyz") { _, _ in
            let applied: [String]
            do {
                applied = try await Self.within(readinessTimeout) { try await store.appliedMigrations() }
            } catch let timeout as HubAPIError {
                logger.warning("readiness: \(timeout.message)")
                throw timeout
            } catch {
                logger.warning("readiness: database not reachable: \(error)")
                throw HubAPIError(.serviceUnavailable, "database not reachable")
            }
            let known = store.knownMigrations
            guard Set(applied) == Set(known) else {
                let missing = known.filter { !applied.contains($0) }, unknown = applied.filter { !known.contains($0) }
                throw HubAPIError(.serviceUnavailable, "database schema not current: missing \(missing), unknown to this gx \(unknown)")
            }
            return try JSONResponse.make(["status": "ready", "schema": known.last ?? ""])
        }
        router.on(.get, "/v1/hub", allow: [.admin, .auditor, .agency]) { _, _, _ in
            let head = try await store.auditHead()
            return try JSONResponse.make(HubAPI.HubInfo(name: name, publicKey: key.publicKey.pem, auditHeadSeq: head.seq, auditHeadHash: head.hash))
        }
    }

    /// Runs `operation`, giving up after `limit` with a 503 saying so: then it is cancelled but not waited
    /// for, since a query on a connection that hangs may not end when cancelled.
    static func within<Value: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let answered = NIOLockedValueBox(false)
        let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            @Sendable func finish(_ result: Result<Value, any Error>) {
                let first = answered.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(with: result) }
            }
            let attempt = Task {
                do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
                timer.withLockedValue { $0?.cancel() }
            }
            timer.withLockedValue {
                $0 = Task {
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    attempt.cancel()
                    finish(.failure(HubAPIError(.serviceUnavailable, "the database did not answer within \(limit)")))
                }
            }
        }
    }
}
