import Foundation
import GXDomain
import Testing

@Suite struct CanonicalJSONCodableTests {
    func decode(_ json: String) throws -> CanonicalJSON {
        try JSONDecoder().decode(CanonicalJSON.self, from: Data(json.utf8))
    }

    @Test func booleansAndIntegersStayApart() throws {
        #expect(try decode("true") == .bool(true))
        #expect(try decode("false") == .bool(false))
        #expect(try decode("1") == .integer(1))
        #expect(try decode("0") == .integer(0))
        #expect(try decode(#"{"a":[true,1,{"b":false,"c":0}],"d":null}"#)
            == ["a": [true, 1, ["b": false, "c": 0]], "d": nil])
    }

    @Test func int64LimitsDecode() throws {
        #expect(try decode("[-9223372036854775808,9223372036854775807]") == [.integer(.min), .integer(.max)])
    }

    @Test func integralNumbersInOtherNotationsBecomeIntegers() throws {
        // JSONDecoder reads 1.0 and 1e3 as integers; JCS writes those numbers as 1 and 1000 too.
        #expect(try decode("[1.0,1e3]").canonicalString == "[1,1000]")
    }

    @Test(arguments: [
        (#"{"items":[1,{"price":1.5}]}"#, "items[1].price"),
        ("2.5", "the top level"),
        (#"{"big":18446744073709551616}"#, "big"),
        (#"[1e400]"#, "[0]"),
    ])
    func nonIntegerNumbersAreRejectedWithTheirPath(_ json: String, _ path: String) throws {
        do {
            _ = try decode(json)
            Issue.record("\(json) should not decode")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription.contains("at \(path) is not a 64-bit integer"), "\(context.debugDescription)")
            #expect(context.debugDescription.contains("as strings"))
        }
    }

    @Test func decodingThenCanonicalisingIgnoresOrderAndWhitespace() throws {
        let first = #"{"b":[1,2,{"y":"文","x":null}],"a":{"t":true,"s":"\u00e9\/"}}"#
        let second = """
        {
          "a" : { "s" : "é/", "t" : true },
          "b" : [ 1, 2, { "x" : null, "y" : "\\u6587" } ]
        }
        """
        let expected = #"{"a":{"s":"é/","t":true},"b":[1,2,{"x":null,"y":"文"}]}"#
        #expect(try decode(first).canonicalString == expected)
        #expect(try decode(second).canonicalBytes == decode(first).canonicalBytes)
        #expect(try CanonicalJSON(jsonData: Data(second.utf8)).canonicalString == expected)
    }

    @Test func encodingThroughJSONEncoderRoundTrips() throws {
        let value: CanonicalJSON = ["n": [.integer(.min), 0, true, false, nil], "s": "共享\n", "o": ["k": [:]]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(CanonicalJSON.self, from: data) == value)
    }

    struct Manifest: Encodable {
        var batchID: String
        var records: Int
        var items: [String]
        enum CodingKeys: String, CodingKey { case batchID = "batch_id", records, items }
    }

    struct Timed: Encodable {
        var at: Date
    }

    @Test func encodableValuesBecomeCanonical() throws {
        let value = try CanonicalJSON(encoding: Manifest(batchID: "b-1", records: 3, items: ["姓名", "性别代码"]))
        #expect(value.canonicalString == #"{"batch_id":"b-1","items":["姓名","性别代码"],"records":3}"#)
        // A Date encodes as a floating-point number by default, which canonical JSON refuses.
        #expect(throws: DecodingError.self) { try CanonicalJSON(encoding: Timed(at: Date(timeIntervalSince1970: 0.5))) }
    }
}
