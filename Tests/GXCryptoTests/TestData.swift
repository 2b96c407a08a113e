/// Deterministic test inputs, so a failure reproduces byte for byte.
enum TestData {
    /// SplitMix64: tiny, fast and good enough to make data zlib cannot predict.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Record-like text (words, IDs, amounts, some Chinese): compresses roughly like real batches.
    static func semiRandomText(byteCount: Int, seed: UInt64 = 42) -> [UInt8] {
        let words = ["法人", "人口", "房产", "统一社会信用代码", "北京市", "海淀区", "agency", "batch", "record",
                     "status", "active", "2024-06-30", "contract", "price", "area", "注册资金", "联系电话"]
            .map { Array($0.utf8) }
        var generator = Generator(state: seed)
        var out: [UInt8] = []
        out.reserveCapacity(byteCount + 64)
        while out.count < byteCount {
            let r = generator.next()
            switch r % 4 {
            case 0, 1: out += words[Int((r >> 8) % UInt64(words.count))]
            case 2: out += Array(String((r >> 20) % 100_000_000).utf8)
            default: out += [UInt8(0x41 + (r >> 8) % 26), UInt8(0x61 + (r >> 16) % 26)]
            }
            out.append((r >> 40) % 7 == 0 ? 0x0A : 0x2C)
        }
        return Array(out.prefix(byteCount))
    }

    /// Bytes zlib cannot compress at all.
    static func randomBytes(count: Int, seed: UInt64 = 7) -> [UInt8] {
        var generator = Generator(state: seed)
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            var word = generator.next()
            for _ in 0..<8 where i < count {
                out[i] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                i += 1
            }
        }
        return out
    }

    /// Cuts `bytes` into pieces whose sizes cycle through awkward, mostly odd lengths.
    static func unevenChunks(_ bytes: [UInt8], sizes: [Int] = [1, 7, 4093, 65_537, 3, 1_048_577, 511]) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var offset = 0, index = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + sizes[index % sizes.count])
            chunks.append(bytes[offset..<end])
            offset = end
            index += 1
        }
        return chunks
    }
}
