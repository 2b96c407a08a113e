import GXDomain
import GXTestSupport
import Testing

/// A mapping of three RK-001 items to local columns, one of them converted (YYYYMMDD dates): the agent tests'
/// fixture for reading and applying records through both the byte and the `String` path.
enum PopulationMapping {
    static let items = ["公民身份号码", "姓名", "出生日期"]
    static let columns = ["sfzh", "xm", "csrq"]
    static let config = """
        [[map]]
        item = "公民身份号码"
        column = "sfzh"

        [[map]]
        item = "姓名"
        column = "xm"

        [[map]]
        item = "出生日期"
        column = "csrq"
        convert = "date:YYYYMMDD"
        """

    struct Document: Decodable { var map: [FieldMapping] }

    static func fields() throws -> [FieldMapping] {
        try TOMLDocument.decode(Document.self, from: config, source: "agent.toml").map
    }

    static func entry() throws -> CatalogueEntry {
        try #require(try SampleDocuments.catalogue()["RK-001"])
    }
}
