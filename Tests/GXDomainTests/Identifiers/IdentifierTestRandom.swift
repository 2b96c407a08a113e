/// SplitMix64: a small seeded generator, so generated identifiers are the same on every run and a
/// failure can be reproduced.
struct IdentifierTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func character(from alphabet: String) -> Character {
        let characters = Array(alphabet)
        return characters[Int.random(in: 0..<characters.count, using: &self)]
    }

    mutating func string(_ count: Int, from alphabet: String) -> String {
        String((0..<count).map { _ in character(from: alphabet) })
    }
}
