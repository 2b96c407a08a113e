/// Each side's duties under the Beijing model: for provision, use, disposal and security of the data.
public struct AgreementDuties: Codable, Sendable, Hashable {
    public var provision: String
    public var use: String
    public var disposal: String
    public var security: String

    public init(provision: String, use: String, disposal: String, security: String) {
        self.provision = provision
        self.use = use
        self.disposal = disposal
        self.security = security
    }
}
