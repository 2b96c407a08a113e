extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps a typed error: the standard library version only rethrows `any Error`.
    public func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = withUnsafeBytes { bytes in
            Swift.Result { () throws(Failure) -> Result in try body(bytes) }
        }
        return try outcome.get()
    }
}
