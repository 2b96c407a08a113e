import GXDomain

/// SplitMix64 (Steele, Lea and Flood, 2014): the sample registers' only source of randomness.
///
/// Deliberately not a `RandomNumberGenerator`: `Int.random(in:using:)` and `shuffled(using:)` are
/// free to change their algorithms between Swift releases, and `SystemRandomNumberGenerator` and
/// `Hasher` are seeded per process. Everything here is plain 64-bit arithmetic, so a seed gives the
/// same rows on every machine and toolchain.
struct SampleRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator for one row (or one parcel, one update…): independent of every other index's, so
    /// row `i` is the same whether or not the rows before it were made.
    init(seed: UInt64, stream: UInt64, index: Int) {
        state = Self.mix(seed ^ Self.mix(stream ^ Self.mix(UInt64(bitPattern: Int64(index)) &+ 0x632B_E59B_D9B4_E019)))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's finaliser, also used as the round function of ``SamplePermutation``.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (multiply-high; the bias is far below anything a sample can show).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `perMille` / 1000.
    mutating func chance(perMille: Int) -> Bool {
        below(1000) < perMille
    }

    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// `count` ASCII digits, leading zeros included.
    mutating func digits(_ count: Int) -> String {
        var text = ""
        for _ in 0..<count { text.append(Character(Unicode.Scalar(UInt8(0x30 + below(10))))) }
        return text
    }
}
