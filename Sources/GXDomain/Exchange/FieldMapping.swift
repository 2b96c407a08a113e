/// One line of a mapping: a local column ↔ a catalogue item. TOML keys: `item`, `column`, `convert`,
/// `codes`, `default`, `required`, `trim`, `halfwidth`.
///
/// ```toml
/// [[map]]
/// item = "性别代码"
/// column = "xb"
/// codes = { "男" = "1", "女" = "2" }
/// ```
///
/// Everything is written from the local side: `codes` keys and `default` are local values. On the
/// provider side they go through `codes`/`convert` like any local value; on the consumer side the
/// conversion runs in reverse and `default` is written as it stands.
public struct FieldMapping: Decodable, Sendable, Hashable {
    /// The catalogue item.
    public var item: String
    /// The local column; `nil` only when `default` gives the value.
    public var column: String?
    public var convert: ValueConversion?
    /// Local value → catalogue code (e.g. `"男" = "1"`); the consumer side uses the inverse, so there each
    /// code must come from one local value.
    public var codes: [String: String]?
    /// Used when the local value is empty (provider) / the item is absent (consumer).
    public var `default`: String?
    /// Makes an item required even if the catalogue does not (it cannot make a required item optional).
    public var required: Bool?
    /// Default true: strip leading/trailing whitespace incl. U+3000 (provider side).
    public var trim: Bool
    /// Default true: full-width ASCII (U+FF01–U+FF5E) → half-width, U+3000 → space (provider side).
    public var halfwidth: Bool

    public init(item: String, column: String? = nil, convert: ValueConversion? = nil, codes: [String: String]? = nil,
                default: String? = nil, required: Bool? = nil, trim: Bool = true, halfwidth: Bool = true) {
        self.item = item
        self.column = column
        self.convert = convert
        self.codes = codes
        self.default = `default`
        self.required = required
        self.trim = trim
        self.halfwidth = halfwidth
    }

    enum CodingKeys: String, CodingKey {
        case item, column, convert, codes, `default`, required, trim, halfwidth
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        item = try c.decode(String.self, forKey: .item)
        column = try c.decodeIfPresent(String.self, forKey: .column)
        convert = try c.decodeIfPresent(ValueConversion.self, forKey: .convert)
        codes = try c.decodeIfPresent([String: String].self, forKey: .codes)
        `default` = try c.decodeIfPresent(String.self, forKey: .default)
        required = try c.decodeIfPresent(Bool.self, forKey: .required)
        trim = try c.decodeIfPresent(Bool.self, forKey: .trim) ?? true
        halfwidth = try c.decodeIfPresent(Bool.self, forKey: .halfwidth) ?? true
    }
}
