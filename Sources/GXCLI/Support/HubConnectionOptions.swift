import ArgumentParser
import Foundation

/// Where the hub is and which credential to use. The token is read from a file or the environment,
/// never from the command line, so it does not show up in process listings or shell history.
struct HubConnectionOptions: ParsableArguments {
    @Option(name: .customLong("hub"), help: "Hub base URL (default: $GX_HUB or http://127.0.0.1:8480).")
    var hubURL: String?

    @Option(name: .customLong("token-file"), help: "File holding the bearer token (default: $GX_TOKEN_FILE, or the token in $GX_TOKEN).")
    var tokenFile: String?

    func client() throws -> HubClient {
        let environment = ProcessInfo.processInfo.environment
        var url = hubURL ?? environment["GX_HUB"] ?? "http://127.0.0.1:8480"
        while url.hasSuffix("/") { url.removeLast() }
        let token: String
        if let path = tokenFile ?? environment["GX_TOKEN_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the token file \(path)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let value = environment["GX_TOKEN"] {
            token = value
        } else {
            throw ValidationError("no credential: pass --token-file FILE or set GX_TOKEN_FILE or GX_TOKEN")
        }
        return HubClient(baseURL: url, token: token)
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON for scripts instead of a table.")
    var json = false
}
