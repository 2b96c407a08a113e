/// The bytes written to a payload file, kept beside it while they fit `limit`, so the upload that follows
/// sends them instead of reading back — checking the seal and undoing the SM4 of — what was just sealed.
struct PayloadCopy {
    /// The bytes so far; nil once they outgrew the limit.
    private(set) var bytes: [UInt8]? = []
    let limit: Int

    /// 32 MiB: a verification request or answer of a few million records.
    init(limit: Int = 32 << 20) {
        self.limit = limit
        // Reserved whole, so growing never holds a doubled array: pages count as memory only once written.
        bytes!.reserveCapacity(limit)
    }

    mutating func append(_ wire: [UInt8]) {
        guard let count = bytes?.count else { return }
        if count + wire.count <= limit { bytes!.append(contentsOf: wire) } else { bytes = nil }
    }
}
