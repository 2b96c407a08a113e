/// The labels of the `-----BEGIN …-----` lines in a text, used only to explain why a PEM was refused.
struct PEMLabels {
    let labels: [String]

    init(_ text: String) {
        var labels: [String] = []
        var rest = Substring(text)
        while let begin = rest.firstRange(of: "-----BEGIN ") {
            rest = rest[begin.upperBound...]
            guard let end = rest.firstRange(of: "-----") else { break }
            let label = rest[..<end.lowerBound]
            if label.count <= 64, !label.contains("\n") { labels.append(String(label)) }
            rest = rest[end.upperBound...]
        }
        self.labels = labels
    }
}
