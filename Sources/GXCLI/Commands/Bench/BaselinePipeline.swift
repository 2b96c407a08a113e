import Foundation

/// The pipeline an agency scripts instead of an exchange: export CSV → `gzip -1` → `sha256sum` → copy over
/// loopback → verify → `psql \copy` into a keyed table; for the next night, diff the two exports, ship the
/// changed rows and the vanished keys the same way, and upsert them through a staging table. Written as shell
/// scripts into the work directory, so what was measured can be read and run by hand.
struct BaselinePipeline {
    let directory: URL
    /// The receiving side's folder, filled over loopback by `receiver.py`.
    var inbox: URL { directory.appendingPathComponent("inbox") }
    let columns: [String]
    let key: String

    init(directory: URL, columns: [String], key: String) throws {
        self.directory = directory
        self.columns = columns
        self.key = key
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try Self.receiver.write(to: directory.appendingPathComponent("receiver.py"), atomically: true, encoding: .utf8)
        try load.write(to: directory.appendingPathComponent("load.sh"), atomically: true, encoding: .utf8)
        try delta.write(to: directory.appendingPathComponent("delta.sh"), atomically: true, encoding: .utf8)
    }

    var tableDefinition: String {
        "CREATE TABLE people (\(columns.map { "\"\($0)\" TEXT" }.joined(separator: ", ")), PRIMARY KEY (\"\(key)\"))"
    }

    /// Receives PUTs into the inbox: the other agency's end of the copy.
    static let receiver = #"""
        import http.server, os, sys
        class Receive(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                left = int(self.headers["Content-Length"])
                with open(os.path.join(sys.argv[2], os.path.basename(self.path)), "wb") as out:
                    while left > 0:
                        chunk = self.rfile.read(min(left, 1 << 20))
                        out.write(chunk)
                        left -= len(chunk)
                self.send_response(201)
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receive).serve_forever()
        """#

    /// load.sh EXPORT DATABASE_URL PORT
    var load: String {
        #"""
        #!/usr/bin/env bash
        # Baseline initial load: export → gzip -1 → sha256sum → copy over loopback → verify → psql \copy.
        set -euo pipefail
        export LC_ALL=C
        export_csv=$1 db=$2 port=$3
        cd "$(dirname "$0")"
        gzip -1 -c "$export_csv" > load.csv.gz
        sha256sum load.csv.gz > load.sha256
        for file in load.csv.gz load.sha256; do curl -fsS -T "$file" "http://127.0.0.1:$port/$file"; done
        # The receiving agency:
        (cd inbox && sha256sum --quiet -c load.sha256)
        gunzip -c inbox/load.csv.gz | psql "$db" -v ON_ERROR_STOP=1 -qc "\copy people FROM STDIN WITH (FORMAT csv, HEADER true)"
        """#
    }

    /// delta.sh OLD_EXPORT NEW_EXPORT DATABASE_URL PORT
    var delta: String {
        let updates = columns.filter { $0 != key }.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
        return #"""
        #!/usr/bin/env bash
        # Baseline next night: diff the exports (sort + comm), ship changed rows and vanished keys the same way,
        # upsert through a staging table and delete, in one transaction.
        set -euo pipefail
        export LC_ALL=C
        old=$1 new=$2 db=$3 port=$4
        cd "$(dirname "$0")"
        tail -n +2 "$old" | sort -S 25% > old.sorted
        tail -n +2 "$new" | sort -S 25% > new.sorted
        comm -13 old.sorted new.sorted > upserts.csv
        comm -23 old.sorted new.sorted | cut -d, -f1 | sort -u > gone.keys
        cut -d, -f1 upserts.csv | sort -u > upserted.keys
        comm -23 gone.keys upserted.keys > deletes.keys
        gzip -1 -c upserts.csv > upserts.csv.gz
        gzip -1 -c deletes.keys > deletes.keys.gz
        sha256sum upserts.csv.gz deletes.keys.gz > delta.sha256
        for file in upserts.csv.gz deletes.keys.gz delta.sha256; do curl -fsS -T "$file" "http://127.0.0.1:$port/$file"; done
        # The receiving agency:
        (cd inbox && sha256sum --quiet -c delta.sha256)
        psql "$db" -v ON_ERROR_STOP=1 -q -1 <<'SQL'
        CREATE TEMPORARY TABLE stage (LIKE people);
        \copy stage FROM PROGRAM 'gunzip -c inbox/upserts.csv.gz' WITH (FORMAT csv)
        INSERT INTO people SELECT * FROM stage ON CONFLICT ("\#(key)") DO UPDATE SET \#(updates);
        CREATE TEMPORARY TABLE gone ("\#(key)" TEXT);
        \copy gone FROM PROGRAM 'gunzip -c inbox/deletes.keys.gz'
        DELETE FROM people p USING gone g WHERE p."\#(key)" = g."\#(key)";
        SQL
        """#
    }

    /// Bytes the load sent over the wire.
    var loadWireBytes: Int64 { Self.size(inbox, ["load.csv.gz", "load.sha256"]) }
    var deltaWireBytes: Int64 { Self.size(inbox, ["upserts.csv.gz", "deletes.keys.gz", "delta.sha256"]) }

    static func size(_ directory: URL, _ names: [String]) -> Int64 {
        names.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(name).path))?[.size] as? Int64 ?? 0)
        }
    }
}
