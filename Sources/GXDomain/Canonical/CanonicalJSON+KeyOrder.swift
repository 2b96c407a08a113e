extension CanonicalJSON {
    /// RFC 8785 member order: `a` before `b` when its UTF-16 code units sort first.
    ///
    /// Compares UTF-8 bytes instead of transcoding to UTF-16. Byte order equals code point order,
    /// which equals UTF-16 order except in one place: U+E000–U+FFFF (lead bytes EE, EF) sort
    /// *after* supplementary characters (lead bytes F0–F4) in UTF-16, whose surrogates are
    /// D800–DFFF. At the first differing byte both bytes start a character (UTF-8 is
    /// self-synchronising and the prefix is shared) or both continue one of equal length, so
    /// flipping that single case is enough.
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let result = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in utf16Precedes(utf8: left, right) }
        }
        if let result = result ?? nil { return result }
        return a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    static func utf16Precedes(utf8 left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let shared = min(left.count, right.count)
        var index = 0
        while index < shared {
            let x = left[index], y = right[index]
            if x != y {
                if x >= 0xEE && x <= 0xEF && y >= 0xF0 { return false }
                if y >= 0xEE && y <= 0xEF && x >= 0xF0 { return true }
                return x < y
            }
            index += 1
        }
        return left.count < right.count
    }
}
