import Foundation
import GXDomain

extension Hub {
    /// Where a pushed batch of `resource` is kept, relative to the batch directory.
    func batchPath(resource: String, sequence: Int64, manifestSM3: String) throws -> String {
        try checkedResourceCode(resource)
        return "\(resource)/\(sequence)-\(manifestSM3.prefix(16)).deflate"
    }

    /// Where an agreement's delivery of a batch is kept, relative to the batch directory.
    func deliveryPath(resource: String, agreementID: String, sequence: Int64) throws -> String {
        try checkedResourceCode(resource)
        guard PathSafeCode.isValid(agreementID) else {
            throw HubAPIError(.conflict, "agreement id '\(agreementID)' cannot name a folder: \(PathSafeCode.rule)", field: "id")
        }
        return "\(resource)/deliveries/\(agreementID)/\(sequence)-\(UUID().uuidString.prefix(8)).deflate"
    }

    /// A resource code that may become a folder of the batch directory; a catalogue entry published before the
    /// rule was enforced is refused here rather than written outside its folder.
    func checkedResourceCode(_ resource: String) throws {
        if let violation = PathSafeCode.resourceCodeViolation(resource) {
            throw HubAPIError(.badRequest, "resource code '\(resource)' cannot name a folder: \(violation)", field: "code")
        }
    }

}
