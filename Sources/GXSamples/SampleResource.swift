import GXDomain

/// The base resources a sample register can be made for, by catalogue code.
public enum SampleResource: String, CaseIterable, Sendable {
    /// 法人单位基础信息, as 市场监管 exports it.
    case legalEntities = "FR-001"
    /// 人口基础信息, as 公安 exports it.
    case population = "RK-001"
    /// 房屋交易登记信息, as 住建 exports it.
    case housing = "FC-001"

    var table: any SampleTable.Type {
        switch self {
        case .legalEntities: SampleRegister.LegalEntities.self
        case .population: SampleRegister.Population.self
        case .housing: SampleRegister.Housing.self
        }
    }

    /// The most rows a register can have: its keys are unique by construction, and the key space is
    /// finite (10⁸ 主体标识码 for 法人, for instance).
    public var maximumRows: Int { table.maximumRows }

    /// The mapping of this export's columns to the catalogue items, as `[[provide.map]]` tables for
    /// the agent's configuration.
    public var mappingTOML: String { table.mappingTOML }

    /// Local column names of this agency's export, in header order.
    public var columns: [String] { table.columns }
}
