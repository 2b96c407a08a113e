import Foundation
import GXCrypto
import GXStorage
import Hummingbird
import NIOCore

extension Hub {
    /// A new payload for records (an upload in progress, a projection), sealed under the hub's current data key
    /// when it has data keys (SM4-CTR with HMAC-SM3: records at rest are encrypted, as the 密评 expects).
    /// `behind`: written on a task of its own while the caller checks what comes next (`BackgroundPayloadWriter`),
    /// for a payload received from an agent. `served`: one an agent will pull soon (a delivery, a verification
    /// request or answer), remembered for a while to be served from memory (`RecentPayloads`).
    func createPayload(behind: Bool = false, served: Bool = false) async throws -> any PayloadWriter {
        do {
            let writer = served ? try await recentPayloads.createRemembered(sealingWith: dataKeys?.current)
                : try await payloads.create(sealingWith: dataKeys?.current)
            return behind ? BackgroundPayloadWriter(writer) : writer
        } catch let error as StoreError {
            throw error
        } catch {
            throw HubAPIError(.serviceUnavailable, "cannot write to \(payloads.place): \(error)")
        }
    }

    /// Opens a kept payload whose plaintext must be `bytes` long. One that is missing, of another length, not
    /// sealed, or whose seal does not hold is refused — never served or projected — naming it.
    func openPayload(_ name: String, expecting bytes: Int64?, what: String) async throws -> any PayloadReader {
        let reader: any PayloadReader
        do {
            reader = try await payloads.open(name, keyring: dataKeys)
        } catch let error as StoreError {
            // The database did not answer: try again later, nothing is damaged.
            throw error
        } catch {
            logger.error("the kept \(what) is refused: \(error)")
            throw HubAPIError(.internalServerError, "the kept \(what) is refused (\(error)): \(payloads.place) is damaged")
        }
        if let bytes, reader.size != bytes {
            reader.close()
            throw HubAPIError(.internalServerError, "the kept \(what) has \(reader.size) bytes, its manifest says \(bytes): \(payloads.place) is damaged")
        }
        return reader
    }

    /// A kept payload, opened and checked before the response starts, streamed as the response's body.
    func payloadBody(_ opened: any PayloadReader) -> ResponseBody {
        // One task reads it, after this function returns: the reader is handed over, never shared.
        nonisolated(unsafe) let reader = opened
        return ResponseBody { writer in
            defer { reader.close() }
            while true {
                let chunk = try await reader.read(upTo: 256 * 1024)
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
    }
}
