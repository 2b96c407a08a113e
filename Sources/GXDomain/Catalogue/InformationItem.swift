/// One information item (信息项) of a catalogue entry: a column of the canonical schema.
public struct InformationItem: Codable, Sendable, Hashable {
    public var name: String
    public var type: ItemType
    /// Maximum length in characters, where the standard sets one.
    public var length: Int?
    public var required: Bool
    /// Key items identify a record; they travel in every agreement for the resource.
    public var key: Bool
    public var codeTable: CodeTable?
    /// The national standard this item's values must satisfy (公民身份号码, 统一社会信用代码 …).
    public var identifier: IdentifierKind?
    /// Its data level (GB/T 43697-2024). Every published item has one; only an entry stored before levels
    /// existed can lack it, and such an item cannot be agreed until the entry is published again.
    public var level: DataLevel?

    public init(name: String, type: ItemType, length: Int? = nil, required: Bool = false, key: Bool = false,
                codeTable: CodeTable? = nil, identifier: IdentifierKind? = nil, level: DataLevel? = nil) {
        self.name = name
        self.type = type
        self.length = length
        self.required = required || key
        self.key = key
        self.codeTable = codeTable
        self.identifier = identifier
        self.level = level
    }

    enum CodingKeys: String, CodingKey {
        case name, type, length, required, key, codeTable = "code_table", identifier, level
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(ItemType.self, forKey: .type)
        length = try c.decodeIfPresent(Int.self, forKey: .length)
        key = try c.decodeIfPresent(Bool.self, forKey: .key) ?? false
        required = (try c.decodeIfPresent(Bool.self, forKey: .required) ?? false) || key
        codeTable = try c.decodeIfPresent(CodeTable.self, forKey: .codeTable)
        identifier = try c.decodeIfPresent(IdentifierKind.self, forKey: .identifier)
        level = try c.decodeIfPresent(DataLevel.self, forKey: .level)
    }
}
