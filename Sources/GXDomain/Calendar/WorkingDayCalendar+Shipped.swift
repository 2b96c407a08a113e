/// The calendar shipped as `Calendar/china-2026.toml`, built in so a hub started without `--calendar` still
/// counts 2026's holidays. A test keeps this copy and the file identical.
extension WorkingDayCalendar {
    public static let shippedSource = "Calendar/china-2026.toml"

    public static let shippedText = #"""
# 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）.
# One file per year; `gx hub serve --calendar FILE...` adds years (or replaces a year) when the next
# notice is published each November. A year no file covers counts weekends only.
year = 2026
notice = "国务院办公厅关于2026年部分节假日安排的通知"

[[holiday]]
name = "元旦"
from = "2026-01-01"
until = "2026-01-03"
working_weekends = ["2026-01-04"]

[[holiday]]
name = "春节"
from = "2026-02-15"
until = "2026-02-23"
working_weekends = ["2026-02-14", "2026-02-28"]

[[holiday]]
name = "清明节"
from = "2026-04-04"
until = "2026-04-06"

[[holiday]]
name = "劳动节"
from = "2026-05-01"
until = "2026-05-05"
working_weekends = ["2026-05-09"]

[[holiday]]
name = "端午节"
from = "2026-06-19"
until = "2026-06-21"

[[holiday]]
name = "中秋节"
from = "2026-09-25"
until = "2026-09-27"

[[holiday]]
name = "国庆节"
from = "2026-10-01"
until = "2026-10-07"
working_weekends = ["2026-09-20", "2026-10-10"]
"""#

    /// The shipped years; `--calendar` files are added on top of them.
    public static func shipped() -> WorkingDayCalendar {
        // The shipped text is checked by the test suite, so a failure here is a build mistake.
        try! WorkingDayCalendar(years: [HolidayYear.parse(shippedText, source: shippedSource)])
    }
}
