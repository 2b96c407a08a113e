import GXDomain
import Testing

/// The `[[map]]` part of an agent config, decoded the way the agent reads it.
struct MappingConfig: Decodable {
    var map: [FieldMapping]
}

/// A provider's housing export (FC-001) and a population register (RK-001), mapped from TOML text.
enum MappingFixtures {
    static let housingColumns = ["unit_no", "addr", "area", "use", "price_wan", "contract", "reg_date", "buyer", "buyer_id_type",
                                 "buyer_id", "seller", "seller_id_type", "seller_id", "developer", "note"]

    static let housingConfig = """
        [[map]]
        item = "不动产单元号"
        column = "unit_no"

        [[map]]
        item = "房屋坐落"
        column="addr"

        [[map]]
        item   =   "建筑面积"
        column = "area"
        convert = "decimal:元"

        [[map]]
        item = "规划用途"
        column = "use"
        codes = { "住宅" = "10", "商业" = "20", "其他" = "90" }
        default = "其他"

        [[map]]
        item = "成交价格"
        column = "price_wan"
        convert = "decimal:万元"

        [[map]]
        item = "合同编号"
        column = "contract"

        [[map]]
        item = "登记日期"
        column = "reg_date"
        convert = "date:YYYYMMDD"

        [[map]]
        item = "买方名称"
        column = "buyer"

        [[map]]
        item = "买方证件类型"
        column = "buyer_id_type"
        default = "1"

        [[map]]
        item = "买方证件号码"
        column = "buyer_id"

        [[map]]
        item = "卖方名称"
        column = "seller"

        [[map]]
        item = "卖方证件号码"
        column = "seller_id"
        """

    static func mappings(_ config: String) throws -> [FieldMapping] {
        try TOMLDocument.decode(MappingConfig.self, from: config, source: "agent.toml").map
    }

    static func outgoing(_ config: String = housingConfig, columns: [String] = housingColumns, code: String = "FC-001",
                         items: [String]? = nil) throws -> RecordMapper {
        let entry = try ExchangeFixtures.entry(code)
        return try RecordMapper.outgoing(try mappings(config), columns: columns, columnsSource: "data/housing.csv", entry: entry,
                                         items: items ?? entry.items.map(\.name), configText: config, configSource: "agent.toml")
    }

    static func incoming(_ config: String = housingConfig, columns: [String] = housingColumns, code: String = "FC-001",
                         items: [String]? = nil) throws -> RecordMapper {
        let entry = try ExchangeFixtures.entry(code)
        return try RecordMapper.incoming(try mappings(config), items: items ?? entry.items.map(\.name), entry: entry, columns: columns,
                                         columnsSource: "data/housing.csv", configText: config, configSource: "agent.toml")
    }

    /// A housing row with `changes` applied to the default values.
    static func housingRow(_ changes: [String: String?] = [:]) -> [String?] {
        var row: [String: String?] = [
            "unit_no": "440106001001GB00001F00010001", "addr": "广州市天河区天河路1号101房", "area": "89.50", "use": "住宅",
            "price_wan": "350", "contract": "GZ-2026-000123", "reg_date": "20260315", "buyer": "李四", "buyer_id_type": "",
            "buyer_id": "370101190102039973", "seller": "王五", "seller_id_type": "1", "seller_id": "34052419800101001X",
            "developer": "91330110MA2CC1X505", "note": "备注",
        ]
        for (column, value) in changes { row[column] = value }
        return housingColumns.map { row[$0] ?? nil }
    }

    /// One catalogue value of a mapped housing row, by item name.
    static func value(_ values: [String?], _ item: String, code: String = "FC-001") throws -> String? {
        let entry = try ExchangeFixtures.entry(code)
        return values[try #require(entry.items.firstIndex { $0.name == item })]
    }

    /// A one-item mapping over RK-001 whose single column is `local`.
    static func single(_ lines: String, item: String = "出生日期") -> String {
        """
        [[map]]
        item = "公民身份号码"
        column = "sfzh"

        [[map]]
        item = "\(item)"
        column = "local"
        \(lines)
        """
    }

    static let singleColumns = ["sfzh", "local"]

    /// Maps `local` through a one-item provider mapping of RK-001 and returns the catalogue value.
    static func convert(_ local: String?, _ lines: String, item: String = "出生日期") throws(RecordViolation) -> String? {
        let mapper: RecordMapper
        do {
            mapper = try outgoing(single(lines, item: item), columns: singleColumns, code: "RK-001", items: ["公民身份号码", item])
        } catch {
            Issue.record("mapping refused: \(error)")
            return nil
        }
        return try mapper.map(["34052419800101001X", local])[1]
    }

    /// Maps a catalogue value back through a one-item consumer mapping of RK-001.
    static func convertBack(_ value: String?, _ lines: String, item: String = "出生日期") throws(RecordViolation) -> String? {
        let mapper: RecordMapper
        do {
            mapper = try incoming(single(lines, item: item), columns: singleColumns, code: "RK-001", items: ["公民身份号码", item])
        } catch {
            Issue.record("mapping refused: \(error)")
            return nil
        }
        return try mapper.map(["34052419800101001X", value])[1]
    }
}
