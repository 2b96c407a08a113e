import Foundation
import GXDomain
import Testing

@Suite struct IdentifierValidatorTests {
    @Test func kindsKeepTheirCommandLineNames() {
        #expect(IdentifierKind.allCases.map(\.rawValue) == ["id", "uscc", "orgcode", "division", "unit"])
        #expect(IdentifierKind(rawValue: "unit") == .realEstateUnit)
    }

    @Test func kindsDecodeFromTheirNames() throws {
        let kinds = try JSONDecoder().decode([IdentifierKind].self, from: Data(#"["id","orgcode"]"#.utf8))
        #expect(kinds == [.citizenID, .organizationCode])
    }

    @Test func dispatchesToTheRightRules() throws {
        let samples: [IdentifierKind: String] = [
            .citizenID: "34052419800101001X",
            .uscc: "91330110MA2CC1X505",
            .organizationCode: "71610585-2",
            .division: "440106",
            .realEstateUnit: "440106001001GB00001F00010001",
        ]
        for kind in IdentifierKind.allCases {
            for (sampleKind, value) in samples {
                let violation = IdentifierValidator.violation(of: value, as: kind)
                if sampleKind == kind {
                    #expect(violation == nil, "\(value) as \(kind)")
                    try IdentifierValidator.validate(value, as: kind)
                } else {
                    #expect(violation?.kind == kind, "\(value) as \(kind)")
                }
            }
        }
    }

    @Test func typedThrowCarriesTheViolation() {
        #expect(throws: IdentifierViolation(kind: .citizenID, rule: "check character: expected X, got 3")) {
            try CitizenIDNumber.validate("340524198001010013")
        }
    }

    @Test func descriptionNamesTheIdentifierAndStandard() {
        let violation = IdentifierValidator.violation(of: "340524198001010013", as: .citizenID)
        #expect(violation?.description == "invalid 公民身份号码 (GB 11643-1999): check character: expected X, got 3")
    }

    @Test func rawUTF8EntryPointMatchesTheStringOne() {
        let bytes = Array("91420000757013137P".utf8)
        bytes.withUnsafeBufferPointer { buffer in
            #expect(IdentifierValidator.violation(utf8: buffer, as: .uscc) == nil)
            #expect(IdentifierValidator.violation(utf8: UnsafeBufferPointer(rebasing: buffer[0..<17]), as: .uscc)?.rule
                == "length: expected 18 characters, got 17")
        }
    }
}
