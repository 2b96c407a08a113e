import GXDomain

/// A keyed bijection on `0..<count`: a 4-round Feistel network on the smallest even number of bits
/// that covers `count`, with cycle-walking back into range.
///
/// Keys are made from a permuted row index, so they are unique without remembering the keys already
/// issued (memory stays flat for any row count) and yet do not run in the order of the rows. Night 2
/// uses the same construction to pick which rows change.
struct SamplePermutation: Sendable {
    let count: UInt64
    private let halfBits: UInt64
    private let keys: [UInt64]

    init(count: UInt64, seed: UInt64, stream: UInt64) {
        precondition(count <= 1 << 62)
        var bits: UInt64 = 2
        while (1 << bits) < count { bits += 2 }
        self.count = count
        halfBits = bits / 2
        var random = SampleRandom(seed: seed, stream: stream, index: -1)
        keys = (0..<4).map { _ in random.next() }
    }

    func callAsFunction(_ index: Int) -> Int {
        precondition(index >= 0 && UInt64(index) < count)
        var value = UInt64(index)
        repeat { value = encrypt(value) } while value >= count
        return Int(value)
    }

    private func encrypt(_ value: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << halfBits) - 1
        var left = value >> halfBits
        var right = value & mask
        for key in keys {
            (left, right) = (right, left ^ (SampleRandom.mix(right ^ key) & mask))
        }
        return left << halfBits | right
    }
}
