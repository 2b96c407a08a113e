import GXDomain

/// The catalogue rules a spoiled sample row breaks, in rotation, so the quarantine shows each kind.
enum SampleFlaw: CaseIterable, Sendable {
    /// An identifier item whose check character is wrong (公民身份号码, 统一社会信用代码).
    case wrongCheckCharacter
    /// A date that does not exist (30 February, month 13).
    case impossibleDate
    /// A value the item's code table (or the mapping's `codes`) does not have.
    case unknownCode
    /// A required item left empty.
    case missingRequiredValue

    /// The flaw of the `ordinal`-th spoiled row (0-based).
    init(ordinal: Int) {
        self = Self.allCases[ordinal % Self.allCases.count]
    }

    /// A day that does not exist, as year, month and day, for each date format to write.
    static func impossibleDate(_ random: inout SampleRandom) -> (year: Int, month: Int, day: Int) {
        let year = random.int(in: 1990...2023)
        switch random.below(3) {
        case 0: return (year, 2, 30)
        case 1: return (year, random.pick([4, 6, 9, 11]), 31)
        default: return (year, 13, random.int(in: 1...28))
        }
    }
}
