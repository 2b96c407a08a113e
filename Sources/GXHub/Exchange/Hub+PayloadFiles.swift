import Foundation
import GXCrypto
import Hummingbird
import NIOCore

extension Hub {
    /// A new file for records (an upload in progress, a projection), sealed under the hub's current data key
    /// when it has data keys (SM4-CTR with HMAC-SM3: records at rest are encrypted, as the 密评 expects).
    func createPayloadFile(_ url: URL) throws -> PayloadFileWriter {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try PayloadFileWriter(path: url.path, sealingWith: dataKeys?.current)
        } catch {
            throw HubAPIError(.serviceUnavailable, "cannot write to the batch directory: \(error)")
        }
    }

    /// Opens a kept payload whose plaintext must be `bytes` long. A file that is missing, of another length, not
    /// sealed, or whose seal does not hold is refused — never served or projected — naming it.
    func openPayloadFile(_ relative: String, expecting bytes: Int64?, what: String) throws -> PayloadFileReader {
        let url = try batchFile(relative)
        let reader: PayloadFileReader
        do {
            reader = try PayloadFileReader(path: url.path, keyring: dataKeys)
        } catch {
            logger.error("the kept \(what) is refused: \(error)")
            throw HubAPIError(.internalServerError, "the kept \(what) is refused (\(error)): the batch directory is damaged")
        }
        if let bytes, reader.size != bytes {
            throw HubAPIError(.internalServerError, "the kept \(what) has \(reader.size) bytes, its manifest says \(bytes): the batch directory is damaged")
        }
        return reader
    }

    /// A kept payload, opened and checked before the response starts, streamed as the response's body.
    func payloadBody(_ opened: PayloadFileReader) -> ResponseBody {
        // One task reads it, after this function returns: the reader is handed over, never shared.
        nonisolated(unsafe) let reader = opened
        return ResponseBody { writer in
            defer { reader.close() }
            while case let chunk = try reader.read(upTo: 256 * 1024), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
    }
}
