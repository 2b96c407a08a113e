import Foundation
import GXDomain
import Testing
@testable import GXAgent

@Suite("Quarantine")
struct QuarantineTests {
    @Test("the quarantine file is private to the agent's user, even where an earlier one was not")
    func permissions() throws {
        let scratch = try LocalDataScratch()
        let path = try scratch.write("RK-001.csv", "time,row,item,rule,value\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        var quarantine = Quarantine(path: path, resource: "RK-001")
        try quarantine.add(row: 7, violation: RecordViolation(item: "公民身份号码", rule: "GB 11643: wrong check character", value: "11010519491231002Y"))
        try quarantine.close()
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("7,公民身份号码,GB 11643: wrong check character,11010519491231002Y"))
    }
}
