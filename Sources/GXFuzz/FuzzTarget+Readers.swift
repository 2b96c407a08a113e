import Foundation
import GXDomain
import GXAgent
import GXHub

/// Hand-written readers of outside bytes: the agent's CSV reader and the hub's request-body check.
extension FuzzTarget {
    private static let csvFile = "/dev/shm/gx-fuzz-\(getpid()).csv"

    /// The input is a CSV export. It must read the same with a 1 MiB buffer as with a 7-byte one (records
    /// straddle every buffer boundary then), or fail the same way.
    static func csv(_ bytes: [UInt8]) {
        guard FileManager.default.createFile(atPath: csvFile, contents: Data(bytes)) else { finding("cannot write \(csvFile)") }
        defer { unlink(csvFile) }
        let large = readAll(chunkSize: CSVReader.defaultChunkSize)
        let small = readAll(chunkSize: 7)
        if large != small { finding("the CSV reads differently with a 7-byte buffer:\n\(large)\n\(small)") }
    }

    private static func readAll(chunkSize: Int) -> String {
        var records: [[String?]] = []
        do {
            let reader = try CSVReader(path: csvFile, chunkSize: chunkSize)
            var fields: [String?] = []
            while try reader.nextRecord(into: &fields) { records.append(fields) }
            return "\(records)"
        } catch {
            return "\(records) then \(error)"
        }
    }

    /// The input is a request body: the hub's check for duplicate keys, NUL and depth, then the documents
    /// agencies post, decoded as the routes decode them.
    static func httpBody(_ bytes: [UInt8]) {
        _ = JSONBodyCheck.problem(in: bytes)
        let data = Data(bytes)
        let decoder = JSONDecoder()
        _ = try? decoder.decode(DemandRequest.self, from: data)
        _ = try? decoder.decode(AgreementSignature.self, from: data)
        _ = try? decoder.decode(AgreementTerms.self, from: data)
    }
}
