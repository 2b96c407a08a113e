import GXDomain

/// The 16 districts of Beijing (GB/T 2260 codes in force since 2015), with what a sample needs to
/// make an address or a price look like it comes from there.
struct SampleDistrict: Sendable {
    let code: String
    let name: String
    /// Resident population in 10 000s (2020 census, rounded): how often the district is drawn.
    let residents: Int
    let streets: [String]
    /// Going price of a home in 元 per m², low and high.
    let pricePerSquareMetre: ClosedRange<Int>

    static let all: [SampleDistrict] = [
        SampleDistrict(code: "110101", name: "东城区", residents: 71, streets: ["东四北大街", "朝阳门内大街", "和平里中街", "东直门内大街", "崇文门外大街", "安定门外大街"], pricePerSquareMetre: 90_000...150_000),
        SampleDistrict(code: "110102", name: "西城区", residents: 111, streets: ["西直门内大街", "金融大街", "广安门外大街", "德胜门外大街", "阜成门内大街", "新街口外大街"], pricePerSquareMetre: 100_000...160_000),
        SampleDistrict(code: "110105", name: "朝阳区", residents: 345, streets: ["建国路", "朝阳北路", "望京街", "酒仙桥路", "东三环中路", "安立路", "广渠路", "姚家园路"], pricePerSquareMetre: 55_000...110_000),
        SampleDistrict(code: "110106", name: "丰台区", residents: 202, streets: ["丰台北路", "南三环西路", "马家堡东路", "方庄路", "右安门外大街", "富丰路"], pricePerSquareMetre: 45_000...80_000),
        SampleDistrict(code: "110107", name: "石景山区", residents: 57, streets: ["石景山路", "鲁谷路", "八角西街", "古城大街", "苹果园路"], pricePerSquareMetre: 45_000...75_000),
        SampleDistrict(code: "110108", name: "海淀区", residents: 313, streets: ["中关村大街", "学院路", "知春路", "海淀大街", "北四环西路", "上地信息路", "万泉河路"], pricePerSquareMetre: 70_000...130_000),
        SampleDistrict(code: "110109", name: "门头沟区", residents: 39, streets: ["新桥大街", "滨河路", "黑山大街"], pricePerSquareMetre: 30_000...50_000),
        SampleDistrict(code: "110111", name: "房山区", residents: 131, streets: ["拱辰大街", "苏庄大街", "长虹西路"], pricePerSquareMetre: 22_000...40_000),
        SampleDistrict(code: "110112", name: "通州区", residents: 184, streets: ["新华大街", "运河西大街", "玉桥中路", "通胡大街", "九棵树东路"], pricePerSquareMetre: 35_000...60_000),
        SampleDistrict(code: "110113", name: "顺义区", residents: 132, streets: ["府前中街", "光明北街", "新顺南大街", "裕龙街"], pricePerSquareMetre: 30_000...55_000),
        SampleDistrict(code: "110114", name: "昌平区", residents: 227, streets: ["回龙观西大街", "府学路", "政府街", "立汤路"], pricePerSquareMetre: 35_000...60_000),
        SampleDistrict(code: "110115", name: "大兴区", residents: 199, streets: ["兴华大街", "黄村西大街", "兴政街", "林校路", "荣华中路"], pricePerSquareMetre: 35_000...65_000),
        SampleDistrict(code: "110116", name: "怀柔区", residents: 44, streets: ["青春路", "府前街", "开放路", "迎宾路"], pricePerSquareMetre: 22_000...38_000),
        SampleDistrict(code: "110117", name: "平谷区", residents: 46, streets: ["府前街", "新平北路", "林荫北街"], pricePerSquareMetre: 18_000...30_000),
        SampleDistrict(code: "110118", name: "密云区", residents: 53, streets: ["鼓楼东大街", "新中街", "滨河路"], pricePerSquareMetre: 18_000...32_000),
        SampleDistrict(code: "110119", name: "延庆区", residents: 35, streets: ["妫水北街", "东外大街", "庆园街"], pricePerSquareMetre: 16_000...28_000),
    ]

    static let byResidents = SampleChoice(all.map { ($0, $0.residents) })

    /// A street address in the district: `北京市朝阳区望京街12号院3号楼2单元1502室`, sometimes just
    /// the house number, sometimes with the house number typed in full-width digits.
    func address(_ random: inout SampleRandom) -> String {
        var house = "\(random.int(in: 1...260))号"
        if random.chance(perMille: 30) { house = SampleText.fullWidthDigits(house) }
        var text = "北京市" + name + random.pick(streets) + house
        if random.chance(perMille: 700) {
            let floor = random.int(in: 1...28)
            text += "院\(random.int(in: 1...30))号楼\(random.int(in: 1...6))单元\(floor)\(SampleText.pad(random.int(in: 1...4), 2))室"
        }
        return text
    }
}
