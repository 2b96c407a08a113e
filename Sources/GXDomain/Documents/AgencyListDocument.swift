/// An agency list file (`Agreements/agencies.toml`): the agencies a hub is stood up with.
/// Keys are not in the file; each agency's key pair is generated and held by the agency itself.
public struct AgencyListDocument: Codable, Sendable {
    public struct Entry: Codable, Sendable, Hashable {
        public var code: String
        public var name: String
        public var shortName: String?
        public var roles: [AgencyRole]

        enum CodingKeys: String, CodingKey {
            case code, name, shortName = "short_name", roles
        }
    }

    public var agency: [Entry]
}
