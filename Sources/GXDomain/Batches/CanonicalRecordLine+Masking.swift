extension CanonicalRecordLine {
    /// As ``write(projecting:into:)``, but the value at each position with a mask is decoded, masked and
    /// encoded again rather than copied, so the clear value never reaches the output.
    public func write(projecting indices: [Int?], masking masks: [ItemMask?], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        buffer.append(UInt8(ascii: "\""))
        buffer.append(operation.codeByte)
        buffer.append(UInt8(ascii: "\""))
        for (position, index) in indices.enumerated() {
            buffer.append(UInt8(ascii: ","))
            guard let index else {
                buffer.append(contentsOf: CanonicalRecord.nullBytes)
                continue
            }
            if let mask = masks[position] {
                if let value = value(index) {
                    CanonicalJSON.writeString(mask.apply(to: value), into: &buffer)
                } else {
                    buffer.append(contentsOf: CanonicalRecord.nullBytes)
                }
            } else {
                buffer.append(contentsOf: token(index))
            }
        }
        buffer.append(UInt8(ascii: "]"))
        buffer.append(UInt8(ascii: "\n"))
    }
}
