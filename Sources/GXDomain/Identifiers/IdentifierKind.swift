/// The national identifier schemes the exchange checks. The raw values are the names used on the
/// command line (`gx validate --kind id`) and in catalogue schemas, so they must not change.
public enum IdentifierKind: String, CaseIterable, Codable, Sendable {
    /// 公民身份号码, GB 11643-1999.
    case citizenID = "id"
    /// 统一社会信用代码, GB 32100-2015.
    case uscc
    /// 组织机构代码, GB 11714.
    case organizationCode = "orgcode"
    /// 行政区划代码, GB/T 2260.
    case division
    /// 不动产单元号, GB/T 37346.
    case realEstateUnit = "unit"
}

extension IdentifierKind {
    /// The name officials know the identifier by, for messages.
    public var title: String {
        switch self {
        case .citizenID: "公民身份号码"
        case .uscc: "统一社会信用代码"
        case .organizationCode: "组织机构代码"
        case .division: "行政区划代码"
        case .realEstateUnit: "不动产单元号"
        }
    }

    /// The standard the rules come from, so a rejected provider can look the rule up.
    public var standard: String {
        switch self {
        case .citizenID: "GB 11643-1999"
        case .uscc: "GB 32100-2015"
        case .organizationCode: "GB 11714"
        case .division: "GB/T 2260"
        case .realEstateUnit: "GB/T 37346"
        }
    }
}
