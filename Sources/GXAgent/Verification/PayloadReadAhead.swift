import Dispatch
import Foundation
import GXCrypto

/// Reads a payload file on a thread of its own, a few chunks ahead of its reader: opening a sealed file
/// (its whole tag checked), decrypting it (SM4), checking its tag again as the bytes pass (HMAC-SM3) and,
/// for a sorted run, inflating it take another core while the reader merges, compares and encodes. Chunks and errors reach the reader in the
/// order the file holds them, exactly as ``PayloadFileReader`` would hand them out; at most `depth` chunks
/// wait, so memory stays bounded.
final class PayloadReadAhead {
    /// What the reading thread and the reader share.
    private final class Channel: @unchecked Sendable {
        let condition = NSCondition()
        var ready: [[UInt8]] = []
        var failure: (any Error)?
        var ended = false
        var stopped = false
    }

    let path: String
    private let channel = Channel()
    private let finished = DispatchSemaphore(value: 0)
    private var closed = false

    /// Starts reading at once; what opening throws comes from the first `read`. `inflating`: the file is one
    /// deflate stream (a sorted run), inflated on the same thread; a stream that does not end is an error.
    init(path: String, keyring: DataKeyring?, chunk: Int = 1 << 20, depth: Int = 2, inflating: Bool = false) {
        self.path = path
        let channel = self.channel, finished = self.finished
        DispatchQueue(label: "gongxiang.read-ahead").async {
            defer { finished.signal() }
            do {
                let input = try PayloadFileReader(path: path, keyring: keyring)
                defer { input.close() }
                let inflater = inflating ? try Inflater() : nil
                while true {
                    channel.condition.lock()
                    while channel.ready.count >= depth, !channel.stopped { channel.condition.wait() }
                    let stopped = channel.stopped
                    channel.condition.unlock()
                    if stopped { return }
                    var bytes = try input.read(upTo: chunk)
                    if let inflater {
                        if bytes.isEmpty {
                            try inflater.finish()
                        } else {
                            var inflated: [UInt8] = []
                            try inflater.decompress(bytes, into: &inflated, limit: Int.max)
                            // The inflater may keep a piece's output for the next: nothing to hand over yet.
                            if inflated.isEmpty { continue }
                            bytes = inflated
                        }
                    }
                    channel.condition.lock()
                    if bytes.isEmpty { channel.ended = true } else { channel.ready.append(bytes) }
                    channel.condition.broadcast()
                    channel.condition.unlock()
                    if bytes.isEmpty { return }
                }
            } catch {
                channel.condition.lock()
                channel.failure = error
                channel.condition.broadcast()
                channel.condition.unlock()
            }
        }
    }

    deinit { close() }

    /// The next chunk; empty at the end. Throws what opening or reading the file threw once the chunks
    /// before it were handed out.
    func read() throws -> [UInt8] {
        channel.condition.lock()
        defer { channel.condition.unlock() }
        while channel.ready.isEmpty, !channel.ended, channel.failure == nil { channel.condition.wait() }
        if !channel.ready.isEmpty {
            channel.condition.broadcast()
            return channel.ready.removeFirst()
        }
        if let failure = channel.failure { throw failure }
        return []
    }

    /// Stops reading and waits until the thread has closed the file.
    func close() {
        guard !closed else { return }
        closed = true
        channel.condition.lock()
        channel.stopped = true
        channel.condition.broadcast()
        channel.condition.unlock()
        finished.wait()
    }
}
