import GXDomain

extension SampleRegister {
    /// 人口基础信息 as a 公安 population system exports it: pinyin-initial column names, 性别 as
    /// 男/女, 人员状态 as words, dates as `19800101`.
    ///
    /// The key 公民身份号码 is built from a permuted row index split into issuing area (32), birth
    /// day (1940–2015) and sequence (1–999), so keys are unique; 出生日期 and 性别 agree with it.
    struct Population: SampleTable {
        static let columns = ["id_no", "xm", "xb", "mz", "csrq", "zz", "hjd_xzqh", "ryzt", "hyzk", "lxdh"]
        static let stream: UInt64 = 0x524B_2D30_3031_0000

        static let firstBirth = SampleDay(year: 1940, month: 1, day: 1)
        static let lastBirth = SampleDay(year: 2015, month: 12, day: 31)
        /// Ages are reckoned on this day, the export's nominal date.
        static let exportDay = SampleDay(year: 2025, month: 12, day: 31)
        static let birthDays = lastBirth.number - firstBirth.number + 1
        static let keySpace = SampleIdentifiers.issuingAreas.count * birthDays * 999
        static let maximumRows = 800_000_000

        /// GB/T 3304 codes, weighted roughly as Beijing's residents are.
        static let ethnicities = SampleChoice([
            ("01", 9_500), ("03", 160), ("11", 150), ("02", 50), ("10", 25), ("08", 15), ("15", 15),
            ("06", 10), ("04", 8), ("05", 8), ("07", 5), ("14", 5), ("17", 3), ("19", 3), ("22", 2),
        ])

        let seed: UInt64
        let keys: SamplePermutation

        init(seed: UInt64) {
            self.seed = seed
            keys = SamplePermutation(count: UInt64(Self.keySpace), seed: seed, stream: Self.stream &+ SamplePurpose.keys)
        }

        func row(_ index: Int) -> [String?] {
            let key = keys(index)
            let sequence = key % 999 + 1
            let birth = SampleDay(Self.firstBirth.number + key / 999 % Self.birthDays)
            let area = SampleIdentifiers.issuingAreas[key / 999 / Self.birthDays]
            let male = sequence % 2 == 1
            let age = birth.age(on: Self.exportDay)
            var random = draws(SamplePurpose.row, index)
            let district = SampleDistrict.byResidents.pick(&random)
            var name = SampleNames.person(male: male, &random)
            if random.chance(perMille: 15) { name = random.chance(perMille: 500) ? " " + name : name + " " }
            return [
                SampleIdentifiers.citizenID(area: area, birth: birth, sequence: sequence),
                name,
                male ? "男" : "女",
                Self.ethnicities.pick(&random),
                birth.compact,
                district.address(&random),
                district.code,
                Self.status(age: age, &random),
                Self.maritalStatus(age: age, &random),
                Self.phone(age: age, &random),
            ]
        }

        static func status(age: Int, _ random: inout SampleRandom) -> String {
            let draw = random.below(1000)
            if age >= 75, draw < 80 { return "死亡" }
            if draw >= 975 { return "迁出" }
            return draw >= 965 ? "注销" : "正常"
        }

        /// GB/T 2261.2 codes by age; sometimes not recorded.
        static func maritalStatus(age: Int, _ random: inout SampleRandom) -> String? {
            if random.chance(perMille: 40) { return nil }
            let draw = random.below(100)
            switch age {
            case ..<20: return "10"
            case ..<30: return draw < 55 ? "10" : draw < 95 ? "20" : draw < 98 ? "40" : "90"
            case ..<60: return draw < 8 ? "10" : draw < 85 ? "20" : draw < 88 ? "22" : draw < 97 ? "40" : "90"
            default: return draw < 70 ? "20" : draw < 92 ? "30" : draw < 97 ? "40" : draw < 98 ? "10" : "90"
            }
        }

        /// Mostly a mobile; none for children and for some adults; now and then in full-width digits.
        static func phone(age: Int, _ random: inout SampleRandom) -> String? {
            guard age >= 12, !random.chance(perMille: 120) else { return nil }
            let number = random.chance(perMille: 850) ? SampleNames.mobile(&random) : SampleNames.landline(&random)
            return random.chance(perMille: 30) ? SampleText.fullWidthDigits(number) : number
        }

        func update(_ row: inout [String?], _ index: Int) {
            var random = draws(SamplePurpose.update, index)
            let before = row
            let age = SampleDay(year: Int(row[4]!.prefix(4))!, month: 1, day: 1).age(on: Self.exportDay)
            switch random.below(4) {
            case 0:
                let district = SampleDistrict.byResidents.pick(&random)
                row[5] = district.address(&random)
                row[6] = district.code
            case 1:
                switch row[8] {
                case nil, "10": row[8] = "20"
                case "30", "40": row[8] = "22"
                default: row[8] = age >= 60 ? "30" : "40"
                }
            case 2:
                row[9] = SampleNames.mobile(&random)
            default:
                switch row[7] {
                case "正常": row[7] = age >= 70 ? "死亡" : "迁出"
                case "死亡": break
                default: row[7] = "正常"
                }
            }
            while row == before { row[9] = SampleNames.mobile(&random) }
        }

        func spoil(_ row: inout [String?], _ flaw: SampleFlaw, _ index: Int) {
            var random = draws(SamplePurpose.flaw, index)
            switch flaw {
            case .wrongCheckCharacter:
                row[0] = SampleIdentifiers.withWrongCheckCharacter(row[0]!, alphabet: Array("10X98765432"))
            case .impossibleDate:
                let (year, month, day) = SampleFlaw.impossibleDate(&random)
                row[4] = SampleText.pad(year, 4) + SampleText.pad(month, 2) + SampleText.pad(day, 2)
            case .unknownCode:
                row[3] = "99"
            case .missingRequiredValue:
                row[1] = nil
            }
        }

        static let mappingTOML = """
            # RK-001 人口基础信息 ← the 公安 population export (gx sample --resource RK-001).
            # Goes under the agent's [[provide]] table for RK-001, e.g.
            #   [[provide]]
            #   resource = "RK-001"
            #   source = { kind = "csv", path = "rk-001.csv", key = ["id_no"] }

            [[provide.map]]
            item = "公民身份号码"
            column = "id_no"

            [[provide.map]]
            item = "姓名"
            column = "xm"

            [[provide.map]]
            item = "性别代码"
            column = "xb"
            codes = { "男" = "1", "女" = "2" }

            [[provide.map]]
            item = "民族代码"
            column = "mz"

            [[provide.map]]
            item = "出生日期"
            column = "csrq"
            convert = "date:YYYYMMDD"

            [[provide.map]]
            item = "住址"
            column = "zz"

            [[provide.map]]
            item = "户籍地行政区划"
            column = "hjd_xzqh"

            [[provide.map]]
            item = "人员状态代码"
            column = "ryzt"
            codes = { "正常" = "0", "注销" = "1", "迁出" = "2", "死亡" = "9" }

            [[provide.map]]
            item = "婚姻状况代码"
            column = "hyzk"

            [[provide.map]]
            item = "联系电话"
            column = "lxdh"

            """
    }
}
