import GXDomain

/// Names of people and the parts of organisation names, with roughly real frequencies.
enum SampleNames {
    /// The commonest surnames, most frequent first; weights fall off with rank as surname counts do.
    static let surnames: SampleChoice<String> = {
        let common = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤").map(String.init)
        let compound = ["欧阳", "司马", "诸葛", "上官"]
        return SampleChoice(common.enumerated().map { ($1, 4000 / ($0 + 4)) } + compound.map { ($0, 3) })
    }()

    static let maleGiven = Array("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志文博晨阳子睿轩然一天昊泽宏海亮成东峰")
    static let femaleGiven = Array("芳娜敏静丽艳娟霞秀英慧玲婷雪琳晶洁欣怡萍红燕颖倩琪梦佳雨涵悦月思可馨璐瑶彤妍嘉诗雅宁桂兰凤丹露")

    /// A Chinese personal name: surname and one or (mostly) two given-name characters.
    static func person(male: Bool, _ random: inout SampleRandom) -> String {
        let pool = male ? maleGiven : femaleGiven
        var name = surnames.pick(&random) + String(random.pick(pool))
        if random.chance(perMille: 750) { name.append(random.pick(pool)) }
        return name
    }

    /// A foreign buyer as a passport writes the name: `SMITH JOHN`.
    static func foreigner(_ random: inout SampleRandom) -> String {
        random.pick(["SMITH", "KIM", "TANAKA", "MUELLER", "MARTIN", "NGUYEN", "LEE", "SATO", "BROWN", "PARK"]) + " "
            + random.pick(["JOHN", "MINJUN", "HIROSHI", "ANNA", "DAVID", "YUKI", "THOMAS", "JIWOO", "EMMA", "LUCAS"])
    }

    static let tradeCharacters = Array("华信达通中科创新博远恒泰安瑞鑫源盛德宏嘉海天金联汇智祥和润丰星辰云启明东方正元兴万")

    /// Two characters for a 字号, the distinctive part of a company name (`华信`, `恒泰`).
    static func tradeName(_ random: inout SampleRandom) -> String {
        let first = random.pick(tradeCharacters)
        var second = random.pick(tradeCharacters)
        while second == first { second = random.pick(tradeCharacters) }
        return String([first, second])
    }

    /// A mobile number: 1, a carrier digit, nine more.
    static func mobile(_ random: inout SampleRandom) -> String {
        "1" + random.pick(["3", "5", "7", "8", "9"]) + random.digits(9)
    }

    /// A Beijing landline as offices list it: `010-65123456`.
    static func landline(_ random: inout SampleRandom) -> String {
        "010-" + random.pick(["5", "6", "8"]) + random.digits(7)
    }
}
