import Foundation
import GXDomain
import Testing

@Suite("Instants typed by people: RFC 3339 with any offset, or a date in China Standard Time")
struct TimestampInstantTests {
    @Test("the same instant written with different offsets parses to one time")
    func offsetsAgree() {
        let utc = Timestamp.instant(from: "2026-12-04T00:00:00Z")
        #expect(utc != nil)
        #expect(Timestamp.instant(from: "2026-12-04T08:00:00+08:00") == utc)
        #expect(Timestamp.instant(from: "2026-12-03T19:00:00-05:00") == utc)
        #expect(Timestamp.instant(from: "2026-12-04t00:00:00z") == utc)
        #expect(Timestamp.instant(from: "2026-12-04") == Timestamp.instant(from: "2026-12-03T16:00:00Z"))
        #expect(Timestamp.string(from: Timestamp.instant(from: "2026-12-04T08:00:00.250+08:00")!) == "2026-12-04T00:00:00.250Z")
    }

    @Test("anything but a full RFC 3339 time or a date is refused", arguments: [
        "", "not-a-date", "2026-13-01", "2026-02-30", "2026-12-04T08:00:00", "2026-12-04T24:00:00Z", "2026-12-04T08:00:00+0800",
        "2026-12-04T08:00:00.Z", "2026-12-04 08:00:00Z", "+2026-12-04", "2026-12-4", "2026-12-04T08:00:00Z ", "2026-12-04T08:60:00Z",
    ])
    func garbageRefused(_ text: String) {
        #expect(Timestamp.instant(from: text) == nil)
    }

    @Test("codes that would name a folder outside the hub's own are not path-safe")
    func pathSafeCodes() {
        for code in ["RK-001", "BJ-GX-2026-001", "a", "1.0", "A_b.c-d"] { #expect(PathSafeCode.isValid(code), "\(code)") }
        for code in ["", ".", "..", ".x", "-x", "_x", "a/b", "a\\b", "a b", "ä", String(repeating: "a", count: 65)] {
            #expect(!PathSafeCode.isValid(code), "\(code)")
        }
        #expect(PathSafeCode.resourceCodeViolation("INCOMING") != nil)
        #expect(PathSafeCode.resourceCodeViolation("incoming-data") == nil)
    }
}
