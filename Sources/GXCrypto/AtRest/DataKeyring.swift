#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data keys of one hub or agent, in a directory kept 0700 beside its other keys: `<id>.key` files (0600)
/// and `current`, the id of the key that seals new files. Rotating adds a key and makes it current; the older
/// keys stay to open what they sealed until those files are pruned.
public struct DataKeyring: Sendable {
    public let directory: String
    public let current: DataKey
    private let keys: [[UInt8]: DataKey]

    /// Loads every key in `directory`; refuses a key file or directory that others may read.
    public init(directory: String) throws(CryptoError) {
        self.directory = directory
        try Self.requirePrivate(directory, mode: 0o077)
        guard let currentText = try? Self.read("\(directory)/current") else {
            throw .fileUnreadable(path: "\(directory)/current", reason: "no current data key; create one with `gx data-key generate --dir \(directory)`")
        }
        var keys: [[UInt8]: DataKey] = [:]
        for name in try Self.list(directory) where name.hasSuffix(".key") {
            let path = "\(directory)/\(name)"
            try Self.requirePrivate(path, mode: 0o077)
            let key = try DataKey(text: try Self.read(path), source: path)
            keys[key.id] = key
        }
        let currentID = currentText.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init) ?? ""
        guard let id = Hex.decode(currentID), let current = keys[id] else {
            throw .invalidKey(reason: "\(directory)/current names key \(currentID.isEmpty ? "(nothing)" : currentID), which is not among the directory's .key files")
        }
        self.current = current
        self.keys = keys
    }

    /// The keyring in `directory`, made with a first key if it has none yet (an agent's first run).
    public static func openingOrCreating(_ directory: String) throws(CryptoError) -> DataKeyring {
        if !exists(in: directory) { try addKey(in: directory) }
        return try DataKeyring(directory: directory)
    }

    /// The key a sealed file names, if this keyring holds it.
    public func key(id: [UInt8]) -> DataKey? { keys[id] }

    public var ids: [String] { keys.keys.map(Hex.encode).sorted() }

    /// Creates the directory (0700) if needed, writes a fresh key (0600) and makes it current. Used both
    /// for the first key and to rotate.
    @discardableResult
    public static func addKey(in directory: String) throws(CryptoError) -> DataKey {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .fileUnreadable(path: directory, reason: String(cString: strerror(errno)))
        }
        try requirePrivate(directory, mode: 0o077)
        let key = try DataKey.generate()
        try writePrivate("\(directory)/\(key.idHex).key", key.text, exclusive: true)
        try writePrivate("\(directory)/current.new", key.idHex + "\n", exclusive: false)
        guard rename("\(directory)/current.new", "\(directory)/current") == 0 else {
            throw .fileUnreadable(path: "\(directory)/current", reason: String(cString: strerror(errno)))
        }
        return key
    }

    public static func exists(in directory: String) -> Bool {
        access("\(directory)/current", F_OK) == 0
    }

    private static func requirePrivate(_ path: String, mode: mode_t) throws(CryptoError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & mode == 0 else {
            throw .invalidKey(reason: "\(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))); run `chmod go-rwx \(path)`")
        }
    }

    private static func read(_ path: String) throws(CryptoError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count > 0 { bytes += buffer[..<count] } else if count == 0 { break } else if errno != EINTR {
                throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
            guard bytes.count < 64 * 1024 else { throw .invalidKey(reason: "\(path) is larger than a data key file can be") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func list(_ directory: String) throws(CryptoError) -> [String] {
        guard let handle = opendir(directory) else { throw .fileUnreadable(path: directory, reason: String(cString: strerror(errno))) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            names.append(name)
        }
        return names
    }

    private static func writePrivate(_ path: String, _ text: String, exclusive: Bool) throws(CryptoError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0), 0o600)
        guard descriptor >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        _ = fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw .fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
