import GXDomain

extension SampleRegister {
    /// 法人单位基础信息 as a 市场监管 registry exports it: English column names, 机构类型 and 币种 as
    /// words, 注册资金 in 万元 with six decimals, 批准成立日期 as `2008-05-12`.
    ///
    /// The key 统一社会信用代码 embeds an 8-character 主体标识码 made from a permuted row index: eight
    /// digits for entities registered before 三证合一 (October 2015), `MA` and six base-31
    /// characters after, so keys are unique across both.
    struct LegalEntities: SampleTable {
        static let columns = [
            "credit_code", "org_code", "org_type", "org_name", "industry", "division", "address", "phone",
            "reg_capital", "founded", "currency", "legal_rep", "reg_no",
        ]
        static let stream: UInt64 = 0x4652_2D30_3031_0000
        static let keySpace = 100_000_000
        static let maximumRows = 90_000_000
        /// Codes issued from this day have the new-style `MA…` 主体标识码 and no 注册号.
        static let unifiedCodeDay = SampleDay(year: 2015, month: 10, day: 1)
        /// Enterprises are founded from 1985 on, recent ones likelier (the later of two draws);
        /// public bodies from 1950.
        static let firstMarketDay = SampleDay(year: 1985, month: 1, day: 1)
        static let firstPublicDay = SampleDay(year: 1950, month: 1, day: 1)
        static let lastDay = SampleDay(year: 2025, month: 12, day: 31)

        /// An entity category: the code's registering authority and category characters, and the
        /// export's local word for the 机构类型.
        struct Kind: Sendable {
            let authority: Character
            let category: Character
            let local: String
            var isMarketEntity: Bool { authority == "9" }
        }

        static let kinds = SampleChoice([
            (Kind(authority: "9", category: "1", local: "企业"), 840),
            (Kind(authority: "1", category: "2", local: "事业单位"), 50),
            (Kind(authority: "1", category: "1", local: "机关"), 20),
            (Kind(authority: "5", category: "1", local: "社会团体"), 30),
            (Kind(authority: "5", category: "2", local: "民办非企业单位"), 40),
            (Kind(authority: "9", category: "3", local: "农民专业合作社"), 20),
        ])

        /// A line of business: the word in the company name and its GB/T 4754-2017 code.
        static let trades: [(word: String, industry: String)] = [
            ("科技", "I6513"), ("信息技术", "I6531"), ("商贸", "F5199"), ("建筑工程", "E4710"),
            ("房地产开发", "K7010"), ("物业管理", "K7020"), ("餐饮管理", "H6210"), ("投资管理", "L7212"),
            ("文化传媒", "L7259"), ("物流", "G5990"), ("医药", "F5151"),
        ]

        static let currencies = SampleChoice([("人民币", 940), ("美元", 30), ("港元", 15), ("欧元", 5), ("日元", 5), ("英镑", 5)])
        static let capitals = SampleChoice([(10, 10), (30, 8), (50, 15), (100, 20), (200, 10), (300, 6), (500, 10), (1000, 10), (2000, 4), (5000, 4), (10000, 2)])

        let seed: UInt64
        let keys: SamplePermutation

        init(seed: UInt64) {
            self.seed = seed
            keys = SamplePermutation(count: UInt64(Self.keySpace), seed: seed, stream: Self.stream &+ SamplePurpose.keys)
        }

        func row(_ index: Int) -> [String?] {
            var random = draws(SamplePurpose.row, index)
            let kind = Self.kinds.pick(&random)
            let district = SampleDistrict.byResidents.pick(&random)
            let founded = kind.isMarketEntity
                ? max(SampleDay.random(Self.firstMarketDay, Self.lastDay, &random), SampleDay.random(Self.firstMarketDay, Self.lastDay, &random))
                : SampleDay.random(Self.firstPublicDay, Self.lastDay, &random)
            let key = keys(index)
            let body = kind.isMarketEntity && founded >= Self.unifiedCodeDay ? "MA" + SampleText.base31(key, width: 6) : SampleText.pad(key, 8)
            let authorityDivision = random.chance(perMille: 300) ? "110000" : district.code
            let codes = SampleIdentifiers.creditCode(authority: kind.authority, category: kind.category, division: authorityDivision, body: body)
            let (name, industry) = Self.name(kind, district, &random)
            let capital = Self.capital(kind, &random)
            return [
                codes.code,
                codes.organizationCode,
                kind.local,
                random.chance(perMille: 20) ? name + " " : name,
                industry,
                district.code,
                Self.address(district, &random),
                Self.phone(&random),
                capital,
                founded.dashed,
                capital == nil ? nil : kind.isMarketEntity ? Self.currencies.pick(&random) : "人民币",
                SampleNames.person(male: random.chance(perMille: 700), &random),
                kind.isMarketEntity && founded < Self.unifiedCodeDay ? SampleIdentifiers.registrationNumber(division: district.code, &random) : nil,
            ]
        }

        static func name(_ kind: Kind, _ district: SampleDistrict, _ random: inout SampleRandom) -> (String, String) {
            let trade = SampleNames.tradeName(&random)
            let place = "北京市" + district.name
            switch kind.local {
            case "企业":
                let line = random.pick(trades)
                let form = random.pick(["有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司"])
                return ("北京" + trade + line.word + form, line.industry)
            case "事业单位":
                return random.pick([
                    (place + "社区卫生服务中心", "Q8421"), (place + "疾病预防控制中心", "Q8431"), (place + "图书馆", "R8831"),
                    (place + random.pick(["第一", "第二", "第八", "第十二", "第三十五"]) + "中学", "P8334"),
                ])
            case "机关":
                return (place + random.pick(["人力资源和社会保障局", "市场监督管理局", "教育委员会", "卫生健康委员会", "民政局", "司法局", "财政局"]), "S9221")
            case "社会团体":
                return (place + random.pick(["书法", "摄影", "软件", "物流", "餐饮", "建筑装饰"]) + "协会", "S9521")
            case "民办非企业单位":
                return random.chance(perMille: 500) ? (place + trade + "培训学校", "P8391") : (place + trade + "养老照料中心", "Q8514")
            default:
                return (place + trade + random.pick(["蔬菜", "果品", "种植", "养殖"]) + "专业合作社", "A0141")
            }
        }

        /// 注册资金 (or 开办资金) in 万元, mostly as registries print it with six decimals; none for 机关.
        static func capital(_ kind: Kind, _ random: inout SampleRandom) -> String? {
            let hundredthsOfWan: Int
            switch kind.local {
            case "企业":
                hundredthsOfWan = random.chance(perMille: 150) ? random.int(in: 100...9_999_999) : capitals.pick(&random) * 100
            case "事业单位":
                guard random.chance(perMille: 400) else { return nil }
                hundredthsOfWan = random.int(in: 10...5000) * 100
            case "机关":
                return nil
            default:
                hundredthsOfWan = random.int(in: 3...500) * 100
            }
            return random.chance(perMille: 800)
                ? SampleText.fixedDecimal(hundredthsOfWan * 10_000, scale: 6)
                : SampleText.canonicalDecimal(hundredths: hundredthsOfWan)
        }

        /// An address, now and then with a building name after an ASCII comma (which CSV must quote).
        static func address(_ district: SampleDistrict, _ random: inout SampleRandom) -> String {
            let address = district.address(&random)
            guard random.chance(perMille: 10) else { return address }
            return address + "," + SampleNames.tradeName(&random) + "大厦\(random.int(in: 2...30))层"
        }

        static func phone(_ random: inout SampleRandom) -> String? {
            let draw = random.below(1000)
            guard draw < 900 else { return nil }
            let number = draw < 650 ? SampleNames.landline(&random) : SampleNames.mobile(&random)
            return random.chance(perMille: 30) ? SampleText.fullWidthDigits(number) : number
        }

        func update(_ row: inout [String?], _ index: Int) {
            var random = draws(SamplePurpose.update, index)
            let before = row
            switch random.below(4) {
            case 0:
                let district = SampleDistrict.byResidents.pick(&random)
                row[5] = district.code
                row[6] = Self.address(district, &random)
            case 1:
                row[7] = SampleNames.landline(&random)
            case 2:
                row[11] = SampleNames.person(male: random.chance(perMille: 700), &random)
            default:
                if row[8] != nil { row[8] = SampleText.fixedDecimal(random.int(in: 100...99_999) * 1_000_000, scale: 6) }
            }
            while row == before { row[11] = SampleNames.person(male: random.chance(perMille: 700), &random) }
        }

        func spoil(_ row: inout [String?], _ flaw: SampleFlaw, _ index: Int) {
            var random = draws(SamplePurpose.flaw, index)
            switch flaw {
            case .wrongCheckCharacter:
                row[0] = SampleIdentifiers.withWrongCheckCharacter(row[0]!, alphabet: SampleText.creditCodeAlphabet)
            case .impossibleDate:
                let (year, month, day) = SampleFlaw.impossibleDate(&random)
                row[9] = SampleText.pad(year, 4) + "-" + SampleText.pad(month, 2) + "-" + SampleText.pad(day, 2)
            case .unknownCode:
                row[2] = "个体工商户"
            case .missingRequiredValue:
                row[3] = nil
            }
        }

        static let mappingTOML = """
            # FR-001 法人单位基础信息 ← the 市场监管 legal-entity export (gx sample --resource FR-001).
            # Goes under the agent's [[provide]] table for FR-001, e.g.
            #   [[provide]]
            #   resource = "FR-001"
            #   source = { kind = "csv", path = "fr-001.csv", key = ["credit_code"] }

            [[provide.map]]
            item = "统一社会信用代码"
            column = "credit_code"

            [[provide.map]]
            item = "组织机构代码"
            column = "org_code"

            [[provide.map]]
            item = "机构类型代码"
            column = "org_type"
            codes = { "企业" = "1", "事业单位" = "2", "机关" = "3", "社会团体" = "4", "民办非企业单位" = "5", "农民专业合作社" = "9" }

            [[provide.map]]
            item = "机构名称"
            column = "org_name"

            [[provide.map]]
            item = "经济行业代码"
            column = "industry"

            [[provide.map]]
            item = "行政区划"
            column = "division"

            [[provide.map]]
            item = "机构地址"
            column = "address"

            [[provide.map]]
            item = "联系电话"
            column = "phone"

            [[provide.map]]
            item = "注册资金"
            column = "reg_capital"
            convert = "decimal:万元"

            [[provide.map]]
            item = "批准成立日期"
            column = "founded"
            convert = "date:YYYY-MM-DD"

            [[provide.map]]
            item = "货币类型代码"
            column = "currency"
            codes = { "人民币" = "156", "港元" = "344", "日元" = "392", "英镑" = "826", "美元" = "840", "欧元" = "978" }

            [[provide.map]]
            item = "法人代表"
            column = "legal_rep"

            [[provide.map]]
            item = "注册号"
            column = "reg_no"

            """
    }
}
