/// A code table (代码表) such as 性别代码 GB/T 2261.1: the allowed codes and their meanings.
public struct CodeTable: Codable, Sendable, Hashable {
    public var name: String
    /// code → meaning
    public var codes: [String: String]

    public init(name: String, codes: [String: String]) {
        self.name = name
        self.codes = codes
    }
}
