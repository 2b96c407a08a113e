import GXDomain

extension SampleRegister {
    /// 房屋交易登记信息 as a 住建 transaction system exports it through a spreadsheet: English column
    /// names, dates as Excel's `2024/1/5`, prices in 元 with two decimals, 规划用途 and 证件类型 as words.
    ///
    /// The key 不动产单元号 comes from a permuted row index split into county, 地籍区, 地籍子区, 宗地,
    /// building and flat, so keys are unique; flats of one 宗地 share its street, developer and use.
    struct Housing: SampleTable {
        static let columns = [
            "unit_no", "location", "area_m2", "usage", "price", "contract_no", "reg_date",
            "buyer", "buyer_id_type", "buyer_id", "seller", "seller_id_type", "seller_id", "developer_uscc",
        ]
        static let stream: UInt64 = 0x4643_2D30_3031_0000

        static let cadastralDistricts = 20
        static let cadastralSubdistricts = 15
        static let parcelsPerSubdistrict = 500
        static let buildingsPerParcel = 30
        static let floors = 28
        static let flatsPerFloor = 4
        static let flatsPerParcel = buildingsPerParcel * floors * flatsPerFloor
        static let keySpace = SampleDistrict.all.count * cadastralDistricts * cadastralSubdistricts * parcelsPerSubdistrict * flatsPerParcel
        static let maximumRows = 8_000_000_000

        static let firstRegistration = SampleDay(year: 2021, month: 1, day: 1)
        static let lastRegistration = SampleDay(year: 2025, month: 12, day: 31)
        /// Night 2's resales are registered the day after night 1's latest registrations.
        static let resaleDay = SampleDay(year: 2026, month: 1, day: 1)

        /// 规划用途 as the export words it, with its share of 宗地 and its price relative to homes (%).
        static let usages = SampleChoice([(("住宅", 100), 850), (("商业", 110), 60), (("办公", 70), 60), (("工业", 30), 10), (("车库", 40), 15), (("储藏", 40), 5)])

        /// What the flats of one 宗地 have in common.
        struct Parcel {
            let street: String
            let houseNumber: Int
            let usage: String
            let pricePercent: Int
            let pricePerSquareMetre: Int
            /// New development: flats are sold by the developer under a 预售 (`Y…`) contract.
            let isNewBuild: Bool
            let developer: Party
        }

        /// A buyer or seller: name, the export's word for the ID document, its number.
        typealias Party = (name: String, idType: String, id: String)

        let seed: UInt64
        let keys: SamplePermutation

        init(seed: UInt64) {
            self.seed = seed
            keys = SamplePermutation(count: UInt64(Self.keySpace), seed: seed, stream: Self.stream &+ SamplePurpose.keys)
        }

        func row(_ index: Int) -> [String?] {
            let key = keys(index)
            let flat = key % Self.flatsPerParcel
            let parcelIndex = key / Self.flatsPerParcel
            let parcelNumber = parcelIndex % Self.parcelsPerSubdistrict + 1
            let subdistrict = parcelIndex / Self.parcelsPerSubdistrict % Self.cadastralSubdistricts + 1
            let cadastralDistrict = parcelIndex / Self.parcelsPerSubdistrict / Self.cadastralSubdistricts % Self.cadastralDistricts + 1
            let county = SampleDistrict.all[parcelIndex / Self.parcelsPerSubdistrict / Self.cadastralSubdistricts / Self.cadastralDistricts]
            let building = flat / (Self.floors * Self.flatsPerFloor) + 1
            let floor = flat / Self.flatsPerFloor % Self.floors + 1
            let room = floor * 100 + flat % Self.flatsPerFloor + 1
            let parcel = parcel(parcelIndex, county)

            let unit = county.code + SampleText.pad(cadastralDistrict, 3) + SampleText.pad(subdistrict, 3)
                + "GB" + SampleText.pad(parcelNumber, 5) + "F" + SampleText.pad(building, 4) + SampleText.pad(room, 4)
            var random = draws(SamplePurpose.row, index)
            let area = Self.area(parcel.usage, &random)
            let seller = parcel.isNewBuild ? parcel.developer : Self.party(&random)
            let buyer = Self.party(&random)
            var location = "北京市" + county.name + parcel.street + "\(parcel.houseNumber)号院\(building)号楼\(floor)层\(room)"
            if random.chance(perMille: 30) { location = SampleText.fullWidthDigits(location) }
            return [
                unit,
                location,
                SampleText.canonicalDecimal(hundredths: area),
                parcel.usage,
                Self.price(area: area, parcel, &random),
                (parcel.isNewBuild ? "Y" : "C") + random.digits(7),
                SampleDay.random(Self.firstRegistration, Self.lastRegistration, &random).excel,
                random.chance(perMille: 15) ? buyer.name + " " : buyer.name, buyer.idType, buyer.id,
                seller.name, seller.idType, seller.id,
                parcel.developer.id,
            ]
        }

        func parcel(_ index: Int, _ county: SampleDistrict) -> Parcel {
            var random = draws(SamplePurpose.parcel, index)
            let (usage, pricePercent) = Self.usages.pick(&random)
            let developerName = "北京" + SampleNames.tradeName(&random) + "房地产开发有限公司"
            return Parcel(
                street: random.pick(county.streets),
                houseNumber: random.int(in: 1...300),
                usage: usage,
                pricePercent: pricePercent,
                pricePerSquareMetre: random.int(in: county.pricePerSquareMetre),
                isNewBuild: random.chance(perMille: 400),
                developer: (developerName, "营业执照", SampleIdentifiers.enterpriseCreditCode(&random))
            )
        }

        /// 建筑面积 in hundredths of m².
        static func area(_ usage: String, _ random: inout SampleRandom) -> Int {
            switch usage {
            case "住宅":
                let range = random.pick([4_500...6_000, 6_000...9_000, 6_000...9_000, 9_000...12_000, 9_000...12_000, 12_000...18_000])
                return random.int(in: range)
            case "车库", "储藏": return random.int(in: 1_000...4_000)
            default: return random.int(in: 3_000...30_000)
            }
        }

        /// 成交价格 in 元, rounded to 100, written with two decimals.
        static func price(area: Int, _ parcel: Parcel, _ random: inout SampleRandom) -> String {
            let perSquareMetre = parcel.pricePerSquareMetre * parcel.pricePercent / 100 * random.int(in: 95...105) / 100
            let yuan = (area * perSquareMetre / 100 + 50) / 100 * 100
            return SampleText.fixedDecimal(yuan * 100, scale: 2)
        }

        /// Mostly a resident with a 身份证; now and then a company, a foreigner or a Hong Kong resident.
        static func party(_ random: inout SampleRandom) -> Party {
            let draw = random.below(1000)
            switch draw {
            case ..<910:
                let male = random.chance(perMille: 500)
                let born = SampleIdentifiers.citizenID(male: male, bornBetween: SampleDay(year: 1950, month: 1, day: 1), and: SampleDay(year: 2000, month: 12, day: 31), &random)
                return (SampleNames.person(male: male, &random), "身份证", born)
            case ..<970:
                let name = "北京" + SampleNames.tradeName(&random) + random.pick(["投资管理", "科技", "商贸"]) + "有限公司"
                return (name, "营业执照", SampleIdentifiers.enterpriseCreditCode(&random))
            case ..<990:
                return (SampleNames.foreigner(&random), "护照", random.pick(["E", "G", "K", "P"]) + random.digits(8))
            default:
                return (SampleNames.person(male: random.chance(perMille: 500), &random), "港澳居民来往内地通行证", "H" + random.digits(8))
            }
        }

        /// Night 2: mostly a resale (the buyer becomes the seller), sometimes a corrected area.
        func update(_ row: inout [String?], _ index: Int) {
            var random = draws(SamplePurpose.update, index)
            let before = row
            if random.chance(perMille: 750) {
                (row[10], row[11], row[12]) = (row[7], row[8], row[9])
                let buyer = Self.party(&random)
                (row[7], row[8], row[9]) = (buyer.name, buyer.idType, buyer.id)
                let price = Int(row[4]!.prefix { $0 != "." })!
                row[4] = SampleText.fixedDecimal((price * random.int(in: 90...115) / 100 + 50) / 100 * 100 * 100, scale: 2)
                row[5] = "C" + random.digits(7)
                row[6] = Self.resaleDay.excel
            } else {
                row[2] = SampleText.canonicalDecimal(hundredths: Self.area(row[3]!, &random))
            }
            while row == before { row[5] = "C" + random.digits(7) }
        }

        func spoil(_ row: inout [String?], _ flaw: SampleFlaw, _ index: Int) {
            var random = draws(SamplePurpose.flaw, index)
            switch flaw {
            case .wrongCheckCharacter:
                row[13] = SampleIdentifiers.withWrongCheckCharacter(row[13]!, alphabet: SampleText.creditCodeAlphabet)
            case .impossibleDate:
                let (year, month, day) = SampleFlaw.impossibleDate(&random)
                row[6] = "\(year)/\(month)/\(day)"
            case .unknownCode:
                row[3] = "商住"
            case .missingRequiredValue:
                row[4] = nil
            }
        }

        static let mappingTOML = """
            # FC-001 房屋交易登记信息 ← the 住建 transaction export (gx sample --resource FC-001).
            # Goes under the agent's [[provide]] table for FC-001, e.g.
            #   [[provide]]
            #   resource = "FC-001"
            #   source = { kind = "csv", path = "fc-001.csv", key = ["unit_no"] }

            [[provide.map]]
            item = "不动产单元号"
            column = "unit_no"

            [[provide.map]]
            item = "房屋坐落"
            column = "location"

            [[provide.map]]
            item = "建筑面积"
            column = "area_m2"

            [[provide.map]]
            item = "规划用途"
            column = "usage"
            codes = { "住宅" = "10", "商业" = "20", "办公" = "30", "工业" = "40", "车库" = "90", "储藏" = "90" }

            [[provide.map]]
            item = "成交价格"
            column = "price"
            convert = "decimal:元"

            [[provide.map]]
            item = "合同编号"
            column = "contract_no"

            [[provide.map]]
            item = "登记日期"
            column = "reg_date"
            convert = "date:excel"

            [[provide.map]]
            item = "买方名称"
            column = "buyer"

            [[provide.map]]
            item = "买方证件类型"
            column = "buyer_id_type"
            codes = { "身份证" = "1", "护照" = "2", "营业执照" = "6", "港澳居民来往内地通行证" = "9" }

            [[provide.map]]
            item = "买方证件号码"
            column = "buyer_id"

            [[provide.map]]
            item = "卖方名称"
            column = "seller"

            [[provide.map]]
            item = "卖方证件类型"
            column = "seller_id_type"
            codes = { "身份证" = "1", "护照" = "2", "营业执照" = "6", "港澳居民来往内地通行证" = "9" }

            [[provide.map]]
            item = "卖方证件号码"
            column = "seller_id"

            [[provide.map]]
            item = "开发企业统一社会信用代码"
            column = "developer_uscc"

            """
    }
}
