import Foundation

/// Charts drawn by the server as SVG: nothing is fetched, nothing runs in the browser.
enum ConsoleChart {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Two bars per night, records sent and records applied, on a common scale.
    /// `kinds` name the two series' classes (`bar sent`, `bar applied`), by which a reader or a test tells them apart.
    static func recordsPerNight(_ series: [(night: String, sent: Int64, applied: Int64)], sentLabel: String, appliedLabel: String, title: String,
                                kinds: (String, String) = ("sent", "applied")) -> String {
        let width = 760.0, height = 260.0, left = 70.0, bottom = 40.0, top = 30.0
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let peak = Int64(niceCeiling(Double(series.map { max($0.sent, $0.applied) }.max() ?? 1)))
        let slot = plotWidth / Double(max(series.count, 1))
        let bar = max(2, min(24, slot / 2 - 2))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        for step in 0...4 {
            let value = Double(peak) * Double(step) / 4
            let y = top + plotHeight - plotHeight * Double(step) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">\(Int(value.rounded()))</text>"
        }
        for (index, point) in series.enumerated() {
            let x = left + slot * Double(index) + slot / 2
            let sentHeight = plotHeight * Double(point.sent) / Double(peak)
            let appliedHeight = plotHeight * Double(point.applied) / Double(peak)
            svg += "<rect class=\"bar \(kinds.0)\" x=\"\(x - bar - 1)\" y=\"\(top + plotHeight - sentHeight)\" width=\"\(bar)\" height=\"\(sentHeight)\" fill=\"#1f6feb\"><title>\(escape(point.night)) \(escape(sentLabel)) \(point.sent)</title></rect>"
            svg += "<rect class=\"bar \(kinds.1)\" x=\"\(x + 1)\" y=\"\(top + plotHeight - appliedHeight)\" width=\"\(bar)\" height=\"\(appliedHeight)\" fill=\"#2da44e\"><title>\(escape(point.night)) \(escape(appliedLabel)) \(point.applied)</title></rect>"
            if series.count <= 12 || index % max(1, series.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(escape(String(point.night.suffix(5))))</text>"
            }
        }
        svg += "<rect x=\"\(left)\" y=\"6\" width=\"12\" height=\"12\" fill=\"#1f6feb\"/><text x=\"\(left + 16)\" y=\"16\" font-size=\"12\" fill=\"#222\">\(escape(sentLabel))</text>"
        svg += "<rect x=\"\(left + 140)\" y=\"6\" width=\"12\" height=\"12\" fill=\"#2da44e\"/><text x=\"\(left + 156)\" y=\"16\" font-size=\"12\" fill=\"#222\">\(escape(appliedLabel))</text>"
        svg += "</svg>"
        return svg
    }

    /// One bar of a single-series chart: where it sits (a night, an agreement, a rule), its size, and its exact
    /// figure as a reader should see it (shown in the bar's `<title>`).
    struct Bar {
        let label: String
        let value: Double
        let figure: String
    }

    /// One column per label on a common scale from zero, with `ticks` naming the axis values (a lag in
    /// minutes, a count). Each column carries `class="bar <kind>"` and a `<title>` with its exact figure.
    /// `unit` is what the axis counts in (60 for minutes): its ticks fall on whole units.
    static func columns(_ bars: [Bar], title: String, kind: String, color: String, unit: Double = 1, ticks: (Double) -> String) -> String {
        let width = 760.0, height = 240.0, left = 80.0, bottom = 40.0, top = 16.0
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let peak = niceCeiling((bars.map(\.value).max() ?? 1) / unit) * unit
        let slot = plotWidth / Double(max(bars.count, 1))
        let bar = max(2, min(32, slot - 6))
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        for step in 0...4 {
            let y = top + plotHeight - plotHeight * Double(step) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#444\">\(escape(ticks(peak * Double(step) / 4)))</text>"
        }
        for (index, point) in bars.enumerated() {
            let x = left + slot * Double(index) + slot / 2
            let size = plotHeight * max(0, point.value) / peak
            svg += "<rect class=\"bar \(escape(kind))\" x=\"\(x - bar / 2)\" y=\"\(top + plotHeight - size)\" width=\"\(bar)\" height=\"\(size)\" fill=\"\(color)\"><title>\(escape(point.label)) \(escape(point.figure))</title></rect>"
            if bars.count <= 12 || index % max(1, bars.count / 8) == 0 {
                svg += "<text x=\"\(x)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(escape(String(point.label.suffix(5))))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per label (rules, agreements: names too long to stand under a column), the label
    /// on the left, shortened if long (its whole text in the bar's `<title>`), the exact figure at the bar's end.
    static func rows(_ bars: [Bar], title: String, kind: String, color: String) -> String {
        let width = 760.0, left = 230.0, right = 110.0, top = 8.0, row = 24.0, bottom = 8.0
        let height = top + row * Double(max(bars.count, 1)) + bottom
        let plotWidth = width - left - right
        let peak = max(1, bars.map(\.value).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#8c959f\" stroke-width=\"1\"/>"
        for (index, point) in bars.enumerated() {
            let y = top + row * Double(index)
            let size = max(1, plotWidth * max(0, point.value) / peak)
            let label = fit(point.label, width: left - 12)
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">\(escape(label))</text>"
            svg += "<rect class=\"bar \(escape(kind))\" x=\"\(left)\" y=\"\(y + 4)\" width=\"\(size)\" height=\"\(row - 8)\" fill=\"\(color)\"><title>\(escape(point.label)) \(escape(point.figure))</title></rect>"
            svg += "<text x=\"\(left + size + 6)\" y=\"\(y + 16)\" font-size=\"12\" fill=\"#222\">\(escape(point.figure))</text>"
        }
        return svg + "</svg>"
    }

    /// The axis's top: four equal steps of a whole, round number (1, 2, 5, 8, 10, 20, 25…) at least `value`,
    /// so that no two ticks read the same.
    static func niceCeiling(_ value: Double) -> Double {
        let quarter = max(value / 4, 1)
        let magnitude = pow(10, (log10(quarter)).rounded(.down))
        for multiple in [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] as [Double] {
            let step = multiple * magnitude
            if step == step.rounded(), step >= quarter { return step * 4 }
        }
        return 40 * magnitude
    }

    /// `label` shortened with "…" to about `width` pixels at 12 px (a CJK character is as wide as the font).
    static func fit(_ label: String, width: Double) -> String {
        var used = 0.0, kept = ""
        for character in label {
            let advance = character.unicodeScalars.first.map { $0.value > 0x2E80 } == true ? 12.0 : 7.0
            if used + advance > width - 12 {
                return kept + "…"
            }
            used += advance
            kept.append(character)
        }
        return kept
    }

    /// The unit a lag axis counts in: seconds below four minutes, minutes below four hours, hours above.
    static func lagUnit(_ peak: Double) -> Double { peak < 240 ? 1 : (peak < 4 * 3600 ? 60 : 3600) }

    /// A tick of a lag axis counted in `unit`.
    static func lagTick(_ seconds: Double, unit: Double, _ language: ConsoleLanguage) -> String {
        let zh = language == .chinese
        let name = unit == 1 ? (zh ? " 秒" : " s") : unit == 60 ? (zh ? " 分" : " min") : (zh ? " 小时" : " h")
        return "\(Int((seconds / unit).rounded()))\(name)"
    }
}
