import GXTestSupport

/// The identifier tests' seeded generator, with the helpers they draw characters and strings with.
typealias IdentifierTestRandom = SeededRandom

extension SeededRandom {
    mutating func character(from alphabet: String) -> Character {
        let characters = Array(alphabet)
        return characters[Int.random(in: 0..<characters.count, using: &self)]
    }

    mutating func string(_ count: Int, from alphabet: String) -> String {
        String((0..<count).map { _ in character(from: alphabet) })
    }
}
