import Foundation
import GXCrypto
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
        var quarantine = Quarantine(path: path, resource: "RK-001", sealing: nil)
        try quarantine.add(row: 7, violation: RecordViolation(item: "公民身份号码", rule: "GB 11643: wrong check character", value: "11010519491231002Y"))
        try quarantine.close()
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("7,公民身份号码,GB 11643: wrong check character,11010519491231002Y"))
    }

    @Test("with a data key the quarantine file is sealed, and opens to the same CSV lines")
    func sealed() throws {
        let scratch = try LocalDataScratch()
        let keys = try DataKeyring.openingOrCreating(scratch.file("data-keys"))
        let path = scratch.file("RK-001.csv")
        var quarantine = Quarantine(path: path, resource: "RK-001", sealing: keys.current)
        try quarantine.add(row: 7, violation: RecordViolation(item: "公民身份号码", rule: "GB 11643: wrong check character", value: "11010519491231002Y"))
        try quarantine.close()
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(raw.prefix(8)) == SealedFile.magic)
        #expect(!String(decoding: raw, as: UTF8.self).contains("11010519491231002Y"))
        let text = String(decoding: try PayloadFileReader(path: path, keyring: keys).readAll(), as: UTF8.self)
        #expect(text.hasPrefix("time,row,item,rule,value\n"))
        #expect(text.contains("7,公民身份号码,GB 11643: wrong check character,11010519491231002Y"))
    }
}
