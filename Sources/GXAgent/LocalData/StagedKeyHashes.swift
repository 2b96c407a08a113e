/// The hashes of the keys a batch stages, to tell whether some key comes twice (then the merge must keep each
/// key's last change). A collision only sends the merge down the path for repeated keys, which is always
/// correct, so the hash need not resist a chosen input: a multiply-and-shift over eight bytes at a time, in
/// an open-addressed table, costs a fraction of `Hasher` (SipHash) twice per key and a `Set<Int>`.
struct StagedKeyHashes {
    private var slots: [UInt64]
    private var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
    }

    /// Adds `hash`; false if it was there already.
    mutating func insert(_ hash: UInt64) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        let hash = hash == 0 ? 1 : hash  // 0 marks an empty slot
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while slots[index] != 0 {
            if slots[index] == hash { return false }
            index = (index + 1) & mask
        }
        slots[index] = hash
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for hash in old where hash != 0 { _ = insert(hash) }
    }

    /// One key column's hash: of its UTF-8 bytes, the same from a `String` or from a line's bytes.
    static func part(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = mix(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        for index in offset..<bytes.count { tail |= UInt64(bytes[index]) << (8 * UInt64(index - offset)) }
        return mix(hash ^ tail)
    }

    /// A key's hash from its columns' parts, in key order.
    static func combine(_ parts: [UInt64]) -> UInt64 {
        var hash: UInt64 = 0x2545_F491_4F6C_DD1D
        for part in parts { hash = mix(hash ^ part) }
        return hash
    }

    /// SplitMix64's finaliser: every input bit moves about half the output bits.
    private static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}
