import Foundation
import GXCrypto

/// Payloads as files under the batch directory, each sealed as a ``SealedFile``: a SQLite hub's store, and
/// that of hub processes that share one directory. Uploads are written under `incoming/<host>-<pid>/` and
/// kept by rename(2), which replaces atomically.
public struct FilePayloadStore: PayloadStore {
    public let directory: URL
    public var place: String { "the batch directory" }

    public init(directory: URL) {
        self.directory = directory
    }

    public func create(sealingWith key: DataKey?) async throws -> any PayloadWriter {
        let name = "\(PayloadUploads.prefix)\(PayloadUploads.processTag)/\(UUID().uuidString)"
        let url = try file(name)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return FileUpload(name: name, file: try PayloadFileWriter(path: url.path, sealingWith: key))
        } catch {
            throw StoreError.unavailable(reason: "cannot write to the batch directory: \(error)")
        }
    }

    public func open(_ name: String, keyring: DataKeyring?) async throws -> any PayloadReader {
        try PayloadFileReader(path: try file(name).path, keyring: keyring)
    }

    public func keeping(_ provisional: String, as name: String) async throws -> [HubChange] {
        let source = try file(provisional), target = try file(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // rename(2) replaces atomically: an identical resend racing through another hub process never leaves
        // the accepted payload missing, not even for a moment.
        guard rename(source.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: source)
            throw StoreError.unavailable(reason: "cannot move a received payload into the batch directory: \(reason)")
        }
        return []
    }

    public func forget(_ provisional: String, keptAs name: String?) async {
        remove([provisional] + (name.map { [$0] } ?? []))
    }

    public func deleting(_ names: [String]) -> [HubChange] { [] }

    public func deleted(_ names: [String]) async { remove(names) }

    public func delete(_ names: [String]) async { remove(names) }

    public func names() async throws -> [String] {
        let base = directory.standardizedFileURL
        guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: base.path) else { return [] }
        return paths.filter { path in
            var isDirectory: ObjCBool = false
            return !path.hasPrefix(PayloadUploads.prefix) && path != "incoming"
                && FileManager.default.fileExists(atPath: base.appendingPathComponent(path).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    public func removeAbandonedUploads(olderThan age: TimeInterval) async {
        let incoming = directory.appendingPathComponent("incoming")
        let cutoff = Date().addingTimeInterval(-age)
        for tag in (try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? [] where tag != PayloadUploads.processTag {
            let entry = incoming.appendingPathComponent(tag)
            if PayloadUploads.isLocal(tag) {
                if PayloadUploads.processIsGone(tag) { try? FileManager.default.removeItem(at: entry) }
                continue
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: entry.path))?[.modificationDate] as? Date
            if modified.map({ $0 < cutoff }) ?? true { try? FileManager.default.removeItem(at: entry) }
        }
    }

    private func remove(_ names: [String]) {
        for name in names {
            if let url = try? file(name) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// The file of `name` inside the batch directory. Every path read, written or deleted there goes through
    /// this, so no stored or received name can reach outside it (`..`, an absolute path).
    public func file(_ name: String) throws -> URL {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        let base = directory.standardizedFileURL
        let url = base.appendingPathComponent(name).standardizedFileURL
        guard !name.hasPrefix("/"), components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              url.path.hasPrefix(base.path.hasSuffix("/") ? base.path : base.path + "/") else {
            throw StoreError.unavailable(reason: "the path '\(name)' would leave the batch directory")
        }
        return url
    }
}

/// An upload in progress in the batch directory's `incoming/`.
final class FileUpload: PayloadWriter {
    let name: String
    private let file: PayloadFileWriter

    init(name: String, file: PayloadFileWriter) {
        self.name = name
        self.file = file
    }

    func write(_ bytes: some Sequence<UInt8>) async throws { try file.write(bytes) }
    func finish() async throws { try file.finish() }
    func abandon() { file.abandon() }
}
