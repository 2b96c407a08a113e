/// A resource in the hub's catalogue (信息资源目录, GB/T 21063 style): what a provider holds and on
/// what terms it may be shared. Agreements and batches refer to an entry by code and schema version.
public struct CatalogueEntry: Codable, Sendable, Hashable {
    public var resourceCode: String
    public var name: String
    /// 统一社会信用代码 of the providing agency.
    public var provider: String
    public var summary: String
    public var format: String
    public var updateCycle: UpdateCycle
    public var sharingType: SharingType
    /// Required for conditional and not-shared resources: the law or policy that sets the condition.
    public var sharingBasis: String?
    /// Whether the resource may also be opened to the public (开放属性).
    public var openToPublic: Bool
    public var publishedOn: CalendarDate
    public var schemaVersion: String
    public var items: [InformationItem]

    public init(resourceCode: String, name: String, provider: String, summary: String, format: String = "结构化数据",
                updateCycle: UpdateCycle, sharingType: SharingType, sharingBasis: String? = nil, openToPublic: Bool = false,
                publishedOn: CalendarDate, schemaVersion: String, items: [InformationItem]) {
        self.resourceCode = resourceCode
        self.name = name
        self.provider = provider
        self.summary = summary
        self.format = format
        self.updateCycle = updateCycle
        self.sharingType = sharingType
        self.sharingBasis = sharingBasis
        self.openToPublic = openToPublic
        self.publishedOn = publishedOn
        self.schemaVersion = schemaVersion
        self.items = items
    }

    enum CodingKeys: String, CodingKey {
        case resourceCode = "resource_code", name, provider, summary, format, updateCycle = "update_cycle"
        case sharingType = "sharing_type", sharingBasis = "sharing_basis", openToPublic = "open_to_public"
        case publishedOn = "published_on", schemaVersion = "schema_version", items
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resourceCode = try c.decode(String.self, forKey: .resourceCode)
        name = try c.decode(String.self, forKey: .name)
        provider = try c.decode(String.self, forKey: .provider)
        summary = try c.decodeIfPresent(String.self, forKey: .summary) ?? ""
        format = try c.decodeIfPresent(String.self, forKey: .format) ?? "结构化数据"
        updateCycle = try c.decode(UpdateCycle.self, forKey: .updateCycle)
        sharingType = try c.decode(SharingType.self, forKey: .sharingType)
        sharingBasis = try c.decodeIfPresent(String.self, forKey: .sharingBasis)
        openToPublic = try c.decodeIfPresent(Bool.self, forKey: .openToPublic) ?? false
        publishedOn = try c.decode(CalendarDate.self, forKey: .publishedOn)
        schemaVersion = try c.decode(String.self, forKey: .schemaVersion)
        items = try c.decode([InformationItem].self, forKey: .items)
    }

    public func item(named name: String) -> InformationItem? { items.first { $0.name == name } }
    public var keyItems: [InformationItem] { items.filter(\.key) }
}
