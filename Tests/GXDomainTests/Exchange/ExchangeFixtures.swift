import GXDomain
import GXTestSupport
import Testing

/// The shipped catalogue entries and one valid record of each, as the exchange tests' starting point.
enum ExchangeFixtures {
    static func entry(_ code: String) throws -> CatalogueEntry {
        try #require(try SampleDocuments.catalogue()[code])
    }

    static func validator(_ code: String) throws -> RecordValidator {
        let entry = try entry(code)
        return try RecordValidator(entry: entry, items: entry.items.map(\.name))
    }

    /// item → value for a valid upsert of each shipped entry; absent items are nil.
    static let valid: [String: [String: String]] = [
        "FR-001": [
            "统一社会信用代码": "91330100716105852F", "组织机构代码": "71610585-2", "机构类型代码": "1",
            "机构名称": "杭州市某某科技有限公司", "经济行业代码": "I6510", "行政区划": "330100", "机构地址": "杭州市西湖区文三路1号",
            "联系电话": "0571-88888888", "注册资金": "1000000.5", "批准成立日期": "2003-11-24", "货币类型代码": "156",
            "法人代表": "王五", "注册号": "330100000012345",
        ],
        "RK-001": [
            "公民身份号码": "34052419800101001X", "姓名": "张三", "性别代码": "1", "民族代码": "01", "出生日期": "1980-01-01",
            "住址": "安徽省宣城市绩溪县华阳镇1号", "户籍地行政区划": "340524", "人员状态代码": "0", "婚姻状况代码": "20",
        ],
        "FC-001": [
            "不动产单元号": "440106001001GB00001F00010001", "房屋坐落": "广州市天河区天河路1号101房", "建筑面积": "89.5",
            "规划用途": "10", "成交价格": "3500000", "合同编号": "GZ-2026-000123", "登记日期": "2026-03-15",
            "买方名称": "李四", "买方证件类型": "1", "买方证件号码": "370101190102039973",
            "卖方名称": "广州某某房地产开发有限公司", "卖方证件类型": "6", "卖方证件号码": "91330110MA2CC1X505",
            "开发企业统一社会信用代码": "91330110MA2CC1X505",
        ],
    ]

    /// A valid upsert of `code` in the entry's item order, with `changes` applied (nil removes a value).
    static func record(_ code: String, _ changes: [String: String?] = [:], operation: RecordOperation = .upsert) throws -> CanonicalRecord {
        let entry = try entry(code)
        var values = valid[code]!
        for (item, value) in changes { values[item] = value }
        return CanonicalRecord(operation: operation, values: entry.items.map { values[$0.name] })
    }
}
